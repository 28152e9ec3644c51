package com.gururmm.server.batch;

import com.gururmm.protocol.api.Batches.BatchView;
import com.gururmm.server.events.BatchProgress;
import com.gururmm.server.events.CommandStatusChanged;
import com.gururmm.server.events.EventBus;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes {@link BatchProgress} for batches whose commands changed status on this node. Changes
 * are coalesced: a batch touched by many results (a fan-out) gets one snapshot per
 * {@link #EVERY_MILLIS}, read from the database, so the events cost one count query per batch and
 * period however many agents answer. In a cluster each node reports the changes it made (its
 * agents' results); every snapshot is complete, so the newest one is the batch's state.
 */
public final class BatchProgressPublisher implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(BatchProgressPublisher.class);
    static final long EVERY_MILLIS = 500;

    private final Jdbi jdbi;
    private final BatchService batches;
    private final EventBus bus;
    private final Clock clock;
    private final String node;
    private final Set<UUID> dirty = ConcurrentHashMap.newKeySet();
    /** Command id → its batch (or none), for the most recent {@link #REMEMBERED} commands. */
    private final Map<UUID, Optional<UUID>> batchOf = new LinkedHashMap<>(1024, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<UUID, Optional<UUID>> eldest) {
            return size() > REMEMBERED;
        }
    };
    static final int REMEMBERED = BatchService.MAX_AGENTS;
    private final EventBus.Subscription subscription;
    private final ScheduledExecutorService flusher = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("gururmm-batch-progress").daemon().factory());

    public BatchProgressPublisher(Jdbi jdbi, BatchService batches, EventBus bus, Clock clock, String node) {
        this.jdbi = jdbi;
        this.batches = batches;
        this.bus = bus;
        this.clock = clock;
        this.node = node;
        this.subscription = bus.subscribe(CommandStatusChanged.TOPIC, this::onChange);
        flusher.scheduleWithFixedDelay(this::flush, EVERY_MILLIS, EVERY_MILLIS, TimeUnit.MILLISECONDS);
    }

    private void onChange(CommandStatusChanged change) {
        if (change.node() != null && !change.node().equals(node)) {
            return; // the node that made the change reports it
        }
        try {
            batchOf(change.commandId()).ifPresent(dirty::add);
        } catch (RuntimeException e) {
            log.warn("could not look up the batch of command {}: {}", change.commandId(), e.toString());
        }
    }

    /**
     * The batch a command belongs to, remembered: a command's batch entry commits in the same
     * transaction as the command (BatchService), so what the first lookup after any status change
     * finds, a batch or none, never changes. A fan-out's second status change (its result) then
     * costs no query, and neither does a single command's.
     */
    private Optional<UUID> batchOf(UUID commandId) {
        synchronized (batchOf) {
            Optional<UUID> known = batchOf.get(commandId);
            if (known != null) {
                return known;
            }
        }
        Optional<UUID> batch = jdbi.withHandle(h -> h.createQuery("SELECT batch_id FROM batch_commands WHERE command_id = :c")
                .bind("c", commandId).mapTo(UUID.class).findOne());
        synchronized (batchOf) {
            batchOf.put(commandId, batch);
        }
        return batch;
    }

    /** Publishes one snapshot per batch changed since the last flush. */
    void flush() {
        for (UUID batchId : List.copyOf(dirty)) {
            dirty.remove(batchId);
            try {
                BatchView view = batches.get(batchId, false);
                int finished = view.counts().entrySet().stream()
                        .filter(e -> com.gururmm.protocol.CommandStatus.parse(e.getKey())
                                .map(com.gururmm.protocol.CommandStatus::isTerminal).orElse(true))
                        .mapToInt(java.util.Map.Entry::getValue).sum();
                bus.publish(BatchProgress.TOPIC, new BatchProgress(batchId, view.agentCount(), view.counts(), finished, view.done(),
                        clock.instant()));
            } catch (RuntimeException e) {
                log.warn("could not publish the progress of batch {}: {}", batchId, e.toString());
            }
        }
    }

    @Override
    public void close() {
        subscription.close();
        flusher.shutdownNow();
    }
}
