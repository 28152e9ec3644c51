package com.gururmm.agent.metrics;

import com.gururmm.protocol.wire.AgentMessage;
import com.gururmm.protocol.wire.MetricSample;
import com.gururmm.protocol.wire.ServerMessage;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Samples every {@code interval} (each wait drawn from 90-110 % of it, the first from 0-100 %,
 * so a fleet started together does not sample in step), buffers each sample durably, and sends
 * the buffer in batches of at most {@link MetricSample#MAX_PER_BATCH} while connected.
 *
 * <p>Delivery: a batch stays in the buffer until the server's {@code metrics_ack} for its id; a
 * batch unacknowledged for {@link #RESEND_AFTER} is sent again, and after a reconnect everything
 * is. The server stores a sample once per (agent, second), so a resend never duplicates.
 */
public final class MetricsReporter {
    private static final Logger log = LoggerFactory.getLogger(MetricsReporter.class);
    static final Duration RESEND_AFTER = Duration.ofSeconds(60);
    /** Batches in flight at once: a long backlog goes out at this pace, acknowledged as it goes. */
    private static final int MAX_IN_FLIGHT = 4;

    private record InFlight(List<Long> keys, long sentNanos) {
    }

    private final Supplier<MetricsSampler> samplerFactory;
    private final MetricsBuffer buffer;
    private final Duration interval;
    private final Predicate<AgentMessage> sender;
    private final Map<UUID, InFlight> inFlight = new ConcurrentHashMap<>();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("agent-metrics").daemon().factory());
    private MetricsSampler sampler;

    /**
     * @param samplerFactory made on the metrics thread (OSHI's first use takes a moment)
     * @param sender sends a message if connected; false if not
     */
    public MetricsReporter(Supplier<MetricsSampler> samplerFactory, MetricsBuffer buffer, Duration interval,
                           Predicate<AgentMessage> sender) {
        this.samplerFactory = samplerFactory;
        this.buffer = buffer;
        this.interval = interval;
        this.sender = sender;
    }

    public void start() {
        timer.execute(() -> {
            try {
                sampler = samplerFactory.get();
            } catch (RuntimeException | LinkageError e) {
                log.error("cannot start the metrics sampler; no metrics will be reported: {}", e.toString());
                return;
            }
            schedule(ThreadLocalRandom.current().nextLong(interval.toMillis() + 1));
        });
    }

    private void schedule(long millis) {
        timer.schedule(this::tick, Math.max(1, millis), TimeUnit.MILLISECONDS);
    }

    private void tick() {
        try {
            Map<String, Double> values = sampler.sample();
            if (!values.isEmpty()) {
                buffer.add(new MetricSample(Instant.now(), values));
            }
            flush();
        } catch (RuntimeException e) {
            log.warn("metrics sample failed: {}", e.toString());
        } finally {
            schedule((long) (interval.toMillis() * ThreadLocalRandom.current().nextDouble(0.9, 1.1)));
        }
    }

    /** A new connection: whatever was in flight on the old one is sent again. */
    public void onConnected() {
        inFlight.clear();
        timer.execute(this::flushSafely);
    }

    public void onAck(ServerMessage.MetricsAck ack) {
        InFlight batch = inFlight.remove(ack.batchId());
        if (batch == null) {
            return;
        }
        buffer.remove(batch.keys());
        if (ack.refused() > 0) {
            log.warn("the server refused {} metrics samples: {}", ack.refused(), ack.reason());
        }
        timer.execute(this::flushSafely); // more backlog may be waiting for a free slot
    }

    private void flushSafely() {
        try {
            flush();
        } catch (RuntimeException e) {
            log.warn("sending metrics failed: {}", e.toString());
        }
    }

    private void flush() {
        long now = System.nanoTime();
        inFlight.values().removeIf(b -> now - b.sentNanos() > RESEND_AFTER.toNanos());
        while (inFlight.size() < MAX_IN_FLIGHT) {
            Set<Long> busy = new HashSet<>();
            inFlight.values().forEach(b -> busy.addAll(b.keys()));
            List<MetricSample> batch = buffer.oldest(MetricSample.MAX_PER_BATCH, busy);
            if (batch.isEmpty()) {
                return;
            }
            UUID id = UUID.randomUUID();
            List<Long> keys = new ArrayList<>(batch.size());
            batch.forEach(s -> keys.add(s.at().toEpochMilli()));
            inFlight.put(id, new InFlight(keys, System.nanoTime()));
            if (!sender.test(new AgentMessage.MetricsReport(id, batch))) {
                inFlight.remove(id);
                return; // offline: the buffer keeps them
            }
        }
    }

    public int buffered() {
        return buffer.size();
    }

    public void stop() {
        timer.shutdownNow();
    }
}
