package com.gururmm.server.observability;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.UUID;
import java.util.function.IntSupplier;
import java.util.function.Supplier;
import java.util.Map;

/**
 * The server's one {@link MeterRegistry} (Prometheus-backed, scraped at {@code GET /metrics})
 * and the meters the core registers in it. Other features get it from
 * {@code GuruServer.meters()} and register their own with {@link #registry()}.
 *
 * <p>Naming convention: every GuruRMM meter is named {@code gururmm.<feature>.<what>} in
 * Micrometer's dotted form, which the Prometheus registry renders as {@code gururmm_<feature>_<what>}
 * (plus {@code _total} for counters, {@code _seconds} for timers). Tags are low-cardinality
 * words ({@code status}, {@code reason}, {@code route}), never ids: one series per agent or
 * command would grow without bound. The pool's meters keep HikariCP's own names
 * ({@code hikaricp_connections_*}), the JVM's Micrometer's ({@code jvm_*}, {@code process_*},
 * {@code system_*}), so stock dashboards work.
 *
 * <p>Hooks for features built elsewhere: the alert engine and the notification sender register
 * the meters named {@link #ALERT_EVALUATIONS}, {@link #ALERT_EVALUATION_SECONDS},
 * {@link #NOTIFICATIONS}, {@link #NOTIFICATION_DELIVERY_SECONDS} themselves (the helpers below
 * build them with the agreed names and tags), so their numbers appear on the same endpoint.
 */
public final class Meters implements AutoCloseable {
    /** Gauge: agents with a live connection to this node. */
    public static final String AGENTS_ONLINE = "gururmm.agents.online";
    /** Gauge, tag {@code status}: commands in each status, from a cached count (see {@link CommandStatusGauges}). */
    public static final String COMMANDS = "gururmm.commands";
    /** Timer: from a command's first send to its agent to its result being stored. */
    public static final String COMMAND_LATENCY = "gururmm.command.latency";
    /** Counter, tag {@code reason}: agent frames the gateway refused (the {@code refused} error code). */
    public static final String FRAMES_REFUSED = "gururmm.agent.frames.refused";
    /** Counters: agent WebSocket connections opened / closed. */
    public static final String AGENT_CONNECTS = "gururmm.agent.connects";
    public static final String AGENT_DISCONNECTS = "gururmm.agent.disconnects";
    /** Timer, tags {@code method}, {@code route} (the route pattern), {@code status}. */
    public static final String HTTP_REQUESTS = "gururmm.http.requests";

    /** Hook for the alert engine: counter, tag {@code outcome} ({@code opened}, {@code resolved}, {@code unchanged}, {@code failed}). */
    public static final String ALERT_EVALUATIONS = "gururmm.alert.evaluations";
    /** Hook for the alert engine: timer of one evaluation pass. */
    public static final String ALERT_EVALUATION_SECONDS = "gururmm.alert.evaluation";
    /** Hook for notifications: counter, tags {@code channel} ({@code webhook}, {@code email}) and {@code outcome} ({@code delivered}, {@code failed}, {@code retried}). */
    public static final String NOTIFICATIONS = "gururmm.notification.deliveries";
    /** Counter, tags {@code kind} (http, socket) and {@code outcome} (ok, unreachable, failed): requests passed on to another node. */
    public static final String RELAYED = "gururmm.cluster.relayed";
    /** Hook for notifications: timer of one delivery attempt, tag {@code channel}. */
    public static final String NOTIFICATION_DELIVERY_SECONDS = "gururmm.notification.delivery";

    private final PrometheusMeterRegistry registry;
    private final JvmGcMetrics gc;
    private final Counter connects;
    private final Counter disconnects;
    private final Timer latency;
    private final CommandLatency inFlight = new CommandLatency();

    public Meters() {
        this.registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        new JvmMemoryMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        new FileDescriptorMetrics().bindTo(registry);
        this.gc = new JvmGcMetrics();
        gc.bindTo(registry);
        this.connects = Counter.builder(AGENT_CONNECTS).description("Agent WebSocket connections opened").register(registry);
        this.disconnects = Counter.builder(AGENT_DISCONNECTS).description("Agent WebSocket connections closed").register(registry);
        this.latency = Timer.builder(COMMAND_LATENCY)
                .description("From a command's first send to its agent until its result is stored")
                .publishPercentileHistogram()
                // From 1 ms: a warm round trip on loopback takes a few (docs/BENCHMARKS.md reads it from these buckets).
                .minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofHours(24))
                .register(registry);
    }

    /** Where features register their own meters (named {@code gururmm.<feature>.<what>}). */
    public MeterRegistry registry() {
        return registry;
    }

    /** The Prometheus text exposition (format 0.0.4) of every meter. */
    public String scrape() {
        return registry.scrape();
    }

    public void agentsOnline(IntSupplier online) {
        Gauge.builder(AGENTS_ONLINE, online::getAsInt).description("Agents connected to this server node").register(registry);
    }

    /** Registers one gauge per status, read from {@code counts} at most every {@code maxAge}. */
    public void commandsByStatus(Iterable<String> statuses, Supplier<Map<String, Long>> counts, Duration maxAge) {
        new CommandStatusGauges(counts, maxAge).register(registry, statuses);
    }

    public void frameRefused(String reason) {
        Counter.builder(FRAMES_REFUSED).description("Agent frames the gateway refused, by reason").tag("reason", reason)
                .register(registry).increment();
    }

    /** A request or socket passed on to another node ({@link com.gururmm.server.cluster.NodeRelay}). */
    public void relayed(String kind, String outcome) {
        Counter.builder(RELAYED).description("Requests and sockets passed on to the node that serves them, by kind and outcome")
                .tag("kind", kind).tag("outcome", outcome).register(registry).increment();
    }

    public void agentConnected() {
        connects.increment();
    }

    public void agentDisconnected() {
        disconnects.increment();
    }

    /** A command was sent down its agent's connection (a redelivery keeps the first send's time). */
    public void commandDispatched(UUID commandId) {
        inFlight.dispatched(commandId);
    }

    /** A command's result was stored: records the time since its first send, if this process sent it. */
    public void commandResultStored(UUID commandId) {
        inFlight.completed(commandId).ifPresent(nanos -> latency.record(Duration.ofNanos(nanos)));
    }

    /** The alert engine's counter, tag {@code outcome}; see {@link #ALERT_EVALUATIONS}. */
    public Counter alertEvaluations(String outcome) {
        return Counter.builder(ALERT_EVALUATIONS).tag("outcome", outcome).register(registry);
    }

    public Timer alertEvaluationTimer() {
        return Timer.builder(ALERT_EVALUATION_SECONDS).register(registry);
    }

    /** The notification sender's counter, tags {@code channel} and {@code outcome}; see {@link #NOTIFICATIONS}. */
    public Counter notificationDeliveries(String channel, String outcome) {
        return Counter.builder(NOTIFICATIONS).tag("channel", channel).tag("outcome", outcome).register(registry);
    }

    public Timer notificationDeliveryTimer(String channel) {
        return Timer.builder(NOTIFICATION_DELIVERY_SECONDS).tag("channel", channel).register(registry);
    }

    @Override
    public void close() {
        gc.close();
        registry.close();
    }
}
