package com.gururmm.server.observability;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.Map;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code gururmm_commands{status=...}}: how many commands are in each status, from one
 * {@code GROUP BY status} query over the indexed status column, cached for {@code maxAge}.
 *
 * <p>Why a cached count and not counters on transitions: the question is "how many are queued
 * right now", a level, not a rate. Counters would have to be bumped at every conditional UPDATE
 * that moves a command (submit, dispatch, start, result, cancel, hold, release, the sweeper's
 * expiries), would start from zero on every restart, and would disagree across nodes; the
 * table already knows the answer. The query runs at most once per {@code maxAge} however often
 * Prometheus scrapes, and only when scraped.
 */
final class CommandStatusGauges {
    private static final Logger log = LoggerFactory.getLogger(CommandStatusGauges.class);
    private final Supplier<Map<String, Long>> query;
    private final long maxAgeNanos;
    private Map<String, Long> cached = Map.of();
    private long readAt;
    private boolean everRead;

    CommandStatusGauges(Supplier<Map<String, Long>> query, Duration maxAge) {
        this.query = query;
        this.maxAgeNanos = maxAge.toNanos();
    }

    void register(MeterRegistry registry, Iterable<String> statuses) {
        for (String status : statuses) {
            Gauge.builder(Meters.COMMANDS, this, g -> g.count(status)).strongReference(true).tag("status", status)
                    .description("Commands in each status (a cached count, refreshed at most every few seconds)").register(registry);
        }
    }

    synchronized double count(String status) {
        long now = System.nanoTime();
        if (!everRead || now - readAt >= maxAgeNanos) {
            try {
                cached = query.get();
            } catch (RuntimeException e) {
                // The database is away: the last known counts are shown and the query is tried again once they are maxAge old.
                log.warn("could not count commands by status: {}", e.toString());
            }
            readAt = now;
            everRead = true;
        }
        return cached.getOrDefault(status, 0L);
    }
}
