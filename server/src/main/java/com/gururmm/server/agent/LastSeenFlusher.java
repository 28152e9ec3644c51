package com.gururmm.server.agent;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Writes buffered last-seen times in one batch per interval (see {@link ConnectionRegistry}). */
public final class LastSeenFlusher implements Runnable {
    private static final Logger log = LoggerFactory.getLogger(LastSeenFlusher.class);

    private final ConnectionRegistry registry;
    private final AgentStore store;

    public LastSeenFlusher(ConnectionRegistry registry, AgentStore store) {
        this.registry = registry;
        this.store = store;
    }

    /** Flush often enough that the stored value is never more than one heartbeat behind. */
    public static Duration intervalFor(Duration heartbeat) {
        Duration half = heartbeat.dividedBy(2);
        return half.compareTo(Duration.ofSeconds(10)) > 0 ? Duration.ofSeconds(10) : half.isZero() ? Duration.ofMillis(500) : half;
    }

    @Override
    public void run() {
        Map<UUID, Instant> batch = registry.drainDirty();
        try {
            store.updateLastSeen(batch);
        } catch (RuntimeException e) {
            registry.restoreDirty(batch);
            log.warn("could not write last-seen times for {} agents; will retry: {}", batch.size(), e.getMessage());
        }
    }
}
