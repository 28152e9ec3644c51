package com.gururmm.server.metrics;

import com.gururmm.server.db.GroupCommit;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Group commit for metrics ({@link GroupCommit}): 10,000 agents at one sample a minute are 167
 * batches a second; written one transaction each, the commits cost the server more CPU than
 * everything else the ingestion does (docs/BENCHMARKS.md). The writer waits up to
 * {@link #LINGER_MILLIS} after the first batch for others, so a sample is acknowledged at most
 * that much later; a group holds at most {@link #MAX_ROWS} rows. Also the bound on metrics writes
 * in flight: one transaction at a time, so a fleet resending its backlogs never takes more than
 * one pooled connection from command results and API calls.
 */
final class GroupWriter implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(GroupWriter.class);
    static final long LINGER_MILLIS = 100;
    static final int MAX_ROWS = 2000;

    private final GroupCommit<MetricStore.AgentRows, boolean[]> group;

    GroupWriter(MetricStore store) {
        this.group = new GroupCommit<>("metrics", rows -> {
            try {
                return List.of(store.insertRecent(rows));
            } catch (RuntimeException e) {
                log.warn("could not store a group of {} metrics batches; their agents will resend: {}", rows.size(), e.toString());
                throw e;
            }
        }, Duration.ofMillis(LINGER_MILLIS), MAX_ROWS, rows -> rows.rows().size(), Duration.ofMinutes(2));
    }

    /** Stores one agent's rows (in some group); returns, per row, whether it was new. */
    boolean[] write(UUID agentId, List<MetricStore.Row> rows) {
        if (rows.isEmpty()) {
            return new boolean[0];
        }
        try {
            return group.write(new MetricStore.AgentRows(agentId, rows));
        } catch (IllegalStateException e) {
            throw new IllegalStateException(e.getMessage() + "; the agent will resend its metrics", e);
        }
    }

    @Override
    public void close() {
        group.close();
    }
}
