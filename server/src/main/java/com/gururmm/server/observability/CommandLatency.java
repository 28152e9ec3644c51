package com.gururmm.server.observability;

import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * When each in-flight command was first sent, so its dispatch-to-result latency can be recorded
 * when the result is stored, without a database read per result. In memory, so it measures the
 * commands this process sent (a result arriving after a restart, or at another node, is not
 * timed). Bounded: a command whose result never comes (agent lost, cancelled) would otherwise
 * stay forever, so past {@link #MAX_ENTRIES} the oldest half is forgotten.
 */
final class CommandLatency {
    static final int MAX_ENTRIES = 100_000;
    private final ConcurrentHashMap<UUID, Long> sentAt = new ConcurrentHashMap<>();

    void dispatched(UUID commandId) {
        sentAt.putIfAbsent(commandId, System.nanoTime());
        if (sentAt.size() > MAX_ENTRIES) {
            prune();
        }
    }

    Optional<Long> completed(UUID commandId) {
        Long start = sentAt.remove(commandId);
        return start == null ? Optional.empty() : Optional.of(System.nanoTime() - start);
    }

    int size() {
        return sentAt.size();
    }

    private synchronized void prune() {
        if (sentAt.size() <= MAX_ENTRIES) {
            return;
        }
        long[] starts = sentAt.values().stream().mapToLong(Long::longValue).sorted().toArray();
        long cutoff = starts[starts.length / 2];
        sentAt.values().removeIf(start -> start - cutoff <= 0);
    }
}
