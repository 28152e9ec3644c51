package com.gururmm.server.events;

import java.time.Instant;
import java.util.Map;
import java.util.UUID;

/**
 * A batch's progress after some of its commands changed status: {@code counts} per status (as in
 * {@code GET /api/batches/{id}}), {@code finished} of {@code agentCount} in a terminal status, and
 * {@code done} once all are. A snapshot read from the database, published at most twice a second
 * per batch by the node whose commands changed (see {@code batch.BatchProgressPublisher}).
 */
public record BatchProgress(UUID batchId, int agentCount, Map<String, Integer> counts, int finished, boolean done, Instant at) {
    public static final Topic<BatchProgress> TOPIC = Topic.of("batch.progress", BatchProgress.class);
}
