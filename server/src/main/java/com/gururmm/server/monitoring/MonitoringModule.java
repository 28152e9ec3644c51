package com.gururmm.server.monitoring;

import com.gururmm.protocol.api.Alerts.AlertView;
import com.gururmm.server.agent.AgentStore;
import com.gururmm.server.agent.ConnectionRegistry;
import com.gururmm.server.audit.AuditLog;
import com.gururmm.server.events.AgentEventReported;
import com.gururmm.server.events.AgentPresence;
import com.gururmm.server.events.EventBus;
import com.gururmm.server.events.MetricsReceived;
import com.gururmm.server.events.MonitoringChanged;
import com.gururmm.server.gateway.AgentChecks;
import com.gururmm.server.routing.AccessFilter;
import com.gururmm.server.routing.RouteTable;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks, alerts and maintenance windows (docs/OPERATIONS.md, "Checks and alerts"), wired in one
 * place. Evaluation is event-driven: thresholds on {@link MetricsReceived}, offline on
 * {@link AgentPresence} plus one timer per offline agent, agent-run checks on the results the
 * agents send, crashes on {@link AgentEventReported}. Every alert change is published as
 * {@link com.gururmm.server.events.AlertChanged} after it is committed.
 *
 * <p>Checks and maintenance windows are held in memory on every node. A change made on one node
 * is announced as {@link MonitoringChanged}, and the others re-read them at once. Every node also
 * re-reads them every {@link #REFRESH_SECONDS} s, so a lost announcement costs seconds, not a
 * check that never reaches the agents of the other nodes.
 */
public final class MonitoringModule implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(MonitoringModule.class);

    private final CheckCatalog catalog;
    private final MaintenanceWindows windows;
    private final AlertStore alertStore;
    private final AlertEngine engine;
    private final ThresholdEvaluator thresholds;
    private final AgentCheckChannel agentChecks;
    private final OfflineWatcher offline;
    private final CrashAlerts crashes;
    private final CheckService checks;
    private final AlertService alerts;
    private final EventBus bus;
    private final Clock clock;
    private final List<EventBus.Subscription> subscriptions = new ArrayList<>();
    /** Which node announced a change (its own announcements are not applied twice). */
    private final String instance = UUID.randomUUID().toString();
    public static final int REFRESH_SECONDS = 10;

    public MonitoringModule(Jdbi jdbi, AgentStore agentStore, ConnectionRegistry registry, AuditLog audit, EventBus bus, Clock clock,
                            AccessFilter.AgentScope scope, Visibility visibility) {
        this.bus = bus;
        this.clock = clock;
        CheckStore checkStore = new CheckStore(jdbi);
        this.catalog = new CheckCatalog(checkStore);
        catalog.reload();
        AgentDirectory directory = new AgentDirectory(agentStore);
        this.windows = new MaintenanceWindows(jdbi, audit, clock, scope, visibility);
        windows.reload();
        this.alertStore = new AlertStore(jdbi);
        this.engine = new AlertEngine(alertStore, directory, windows, bus, clock, AlertEngine.DEFAULT_FLAP_WINDOW);
        this.thresholds = new ThresholdEvaluator(catalog, directory, engine, checkStore, alertStore::openCheckKeys);
        this.agentChecks = new AgentCheckChannel(catalog, directory, engine, checkStore, registry, alertStore::openCheckKeys,
                thresholds::forgetAgent);
        this.offline = new OfflineWatcher(catalog, directory, agentStore, registry, engine, clock);
        this.crashes = new CrashAlerts(alertStore, engine);
        this.checks = new CheckService(checkStore, catalog, agentStore, audit, clock, scope, visibility);
        this.alerts = new AlertService(alertStore, engine, audit, scope, visibility);
        checks.onChange(this::checksChanged);
        checks.onChange(this::announce);
        windows.onChange(this::announce);
    }

    private void announce() {
        bus.publish(MonitoringChanged.TOPIC, new MonitoringChanged(instance, clock.instant()));
    }

    /**
     * Re-reads checks and maintenance windows (another node changed them, or the periodic
     * refresh); when the checks changed, this node's agents get their new sets and offline timers
     * are re-armed. Never throws: the next refresh retries.
     */
    public void refresh() {
        try {
            windows.reload();
            if (catalog.reload()) {
                agentChecks.pushAll();
                offline.rearm();
            }
        } catch (RuntimeException e) {
            log.warn("could not re-read checks and maintenance windows; will retry: {}", e.toString());
        }
    }

    /**
     * Committed alert changes since {@code since}, each as the event of its current state: the
     * notifications' catch-up source (a change whose bus event was lost is routed from here;
     * routing is idempotent per alert and state, so one already routed is not sent again).
     */
    public java.util.List<com.gururmm.server.events.AlertChanged> changesSince(java.time.Instant since) {
        return alertStore.changedSince(since, 10_000).stream().map(a -> new com.gururmm.server.events.AlertChanged(a.id(), a.agentId(),
                a.hostname(), a.site(), a.checkKey(), a.severity(), a.state(), a.title(), a.message(), a.silenced(), a.updatedAt())).toList();
    }

    public void register(RouteTable routes) {
        new MonitoringRoutes(checks, alerts, windows).register(routes);
    }

    /**
     * A policy's check (issue 12) from the settings of {@code POST /api/checks}, validated the same
     * way (a 400 naming the field); {@code scope} {@code policy}. The key defaults as for a check.
     */
    public static Check policyCheck(UUID policyId, com.gururmm.protocol.api.Checks.CheckRequest r, String createdBy, java.time.Instant at) {
        if (r.scope() != null || r.site() != null || r.agentId() != null) {
            throw CheckValidator.bad("scope", "is set by the policy's assignments; leave 'scope', 'site' and 'agent_id' out of a policy's checks");
        }
        String kind = CheckValidator.kind(r.kind());
        String name = CheckValidator.text(r.name(), "name", 200);
        CheckParams params = CheckValidator.params(kind, r);
        String severity = CheckValidator.severity(r.severity(), "agent_offline".equals(kind) ? "critical" : "warning");
        String key = r.key() == null ? CheckValidator.defaultKey(kind, name, params) : CheckValidator.text(r.key(), "key", 200);
        if (key == null) {
            throw CheckValidator.bad("key", "is blank");
        }
        // A stable id per policy and key: alerts raised by it keep pointing at the same check across reloads.
        UUID id = UUID.nameUUIDFromBytes((policyId + "/" + key).getBytes(java.nio.charset.StandardCharsets.UTF_8));
        return new Check(id, key, name, "policy", null, null, "policy:" + policyId, kind, r.enabled() == null || r.enabled(), severity,
                params, createdBy, at, at);
    }

    /** Where policies' checks come from (set once while wiring). */
    public void policyLayer(PolicyChecks layer) {
        catalog.policies(layer);
    }

    /** After policies, their assignments or exclusions changed: agents get their new sets, stale alerts resolve. */
    public void policiesChanged() {
        checksChanged();
    }

    /** The gateway's hook for agent-run checks. */
    public AgentChecks agentChecks() {
        return agentChecks;
    }

    /** In a cluster: offline alerts are raised only while {@code active} (the node holds their lease). */
    public void offlineAlertsWhen(java.util.function.BooleanSupplier active) {
        offline.activeWhen(active);
    }

    /** Subscribes to the bus and arms the offline timers of agents already offline (one query). */
    public void start() {
        subscriptions.add(bus.subscribe(MetricsReceived.TOPIC, thresholds::onSample));
        subscriptions.add(bus.subscribe(AgentPresence.TOPIC, offline::onPresence));
        subscriptions.add(bus.subscribe(AgentEventReported.TOPIC, crashes::onEvent));
        subscriptions.add(bus.subscribe(MonitoringChanged.TOPIC, changed -> {
            if (!instance.equals(changed.origin())) {
                refresh();
            }
        }));
        offline.catchUp();
    }

    /**
     * After a check was created, changed or deleted: agents get their new agent-side set, offline
     * timers are re-armed, and unresolved alerts whose check no longer applies are resolved (one
     * query over unresolved alerts, on change only).
     */
    private void checksChanged() {
        try {
            agentChecks.pushAll();
            offline.rearm();
            for (AlertView a : alertStore.list(com.gururmm.server.auth.Scope.ALL, "active", null, null, null, null, null, 1000)) {
                if (a.checkId() == null) {
                    continue; // raised by an event (bugcheck), not by a check
                }
                boolean applies = catalog.effective(a.agentId(), a.site()).stream()
                        .anyMatch(c -> c.key().equals(a.checkKey()) && c.kind().equals(a.kind()));
                if (!applies) {
                    engine.clear(a.agentId(), a.checkKey());
                    thresholds.forget(a.agentId(), a.checkKey());
                    agentChecks.forget(a.agentId(), a.checkKey());
                }
            }
        } catch (RuntimeException e) {
            log.warn("could not apply a change of checks everywhere: {}", e.toString());
        }
    }

    @Override
    public void close() {
        subscriptions.forEach(EventBus.Subscription::close);
        offline.close();
    }
}
