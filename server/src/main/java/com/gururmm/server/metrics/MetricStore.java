package com.gururmm.server.metrics;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.PreparedBatch;

/**
 * SQL for {@code metric_recent}, {@code metric_hour} and {@code metric_latest} (V10). Values are
 * {@link SampleCodec} blobs; this class never looks inside them. Portable between H2 and
 * PostgreSQL: standard {@code MERGE} for idempotent inserts, no {@code ON CONFLICT}.
 */
public final class MetricStore {
    private final Jdbi jdbi;

    public MetricStore(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    record Row(long time, byte[] payload) {
    }

    record HourRow(long hourStart, int samples, byte[] blob) {
    }

    record Latest(UUID agentId, long time, byte[] payload) {
    }

    /** One agent's rows in a {@link #insertRecent(List)} group. */
    record AgentRows(UUID agentId, List<Row> rows) {
    }

    /**
     * {@link #insertRecent(UUID, List)} for several agents' batches in one transaction (the group
     * commit of {@link GroupWriter}); returns, per batch, per row, whether it was new.
     */
    boolean[][] insertRecent(List<AgentRows> groups) {
        return jdbi.inTransaction(h -> {
            PreparedBatch batch = h.prepareBatch("""
                    MERGE INTO metric_recent t
                    USING (SELECT CAST(:agent AS UUID) AS agent_id, CAST(:at AS BIGINT) AS sampled_at) s
                    ON t.agent_id = s.agent_id AND t.sampled_at = s.sampled_at
                    WHEN NOT MATCHED THEN INSERT (agent_id, sampled_at, payload) VALUES (s.agent_id, s.sampled_at, :payload)""");
            Map<UUID, Row> newest = new HashMap<>();
            for (AgentRows g : groups) {
                for (Row row : g.rows()) {
                    batch.bind("agent", g.agentId()).bind("at", row.time()).bind("payload", row.payload()).add();
                    newest.merge(g.agentId(), row, (a, b) -> b.time() > a.time() ? b : a);
                }
            }
            int[] counts = batch.size() == 0 ? new int[0] : batch.execute();
            newest.forEach((agent, row) -> mergeLatest(h, agent, row.time(), row.payload()));
            boolean[][] out = new boolean[groups.size()][];
            int k = 0;
            for (int i = 0; i < groups.size(); i++) {
                out[i] = new boolean[groups.get(i).rows().size()];
                for (int j = 0; j < out[i].length; j++) {
                    out[i][j] = counts[k++] != 0;
                }
            }
            return out;
        });
    }

    /**
     * Inserts the rows not yet stored for (agent, time) and makes the newest of them the agent's
     * latest (unless a newer one is there), in one transaction (one commit per batch: with H2 writing
     * through, a commit is a file write); returns, per row, whether it was new.
     */
    boolean[] insertRecent(UUID agentId, List<Row> rows) {
        if (rows.isEmpty()) {
            return new boolean[0];
        }
        Row newest = rows.stream().max(java.util.Comparator.comparingLong(Row::time)).orElseThrow();
        return jdbi.inTransaction(h -> {
            PreparedBatch batch = h.prepareBatch("""
                    MERGE INTO metric_recent t
                    USING (SELECT CAST(:agent AS UUID) AS agent_id, CAST(:at AS BIGINT) AS sampled_at) s
                    ON t.agent_id = s.agent_id AND t.sampled_at = s.sampled_at
                    WHEN NOT MATCHED THEN INSERT (agent_id, sampled_at, payload) VALUES (s.agent_id, s.sampled_at, :payload)""");
            for (Row row : rows) {
                batch.bind("agent", agentId).bind("at", row.time()).bind("payload", row.payload()).add();
            }
            int[] counts = batch.execute();
            mergeLatest(h, agentId, newest.time(), newest.payload());
            boolean[] inserted = new boolean[counts.length];
            for (int i = 0; i < counts.length; i++) {
                // A driver that cannot tell (SUCCESS_NO_INFO, -2) is taken at its word that it ran.
                inserted[i] = counts[i] != 0;
            }
            return inserted;
        });
    }

    /** Keeps the newest sample per agent; an older one (a resent backlog) does not replace it. */
    private static void mergeLatest(org.jdbi.v3.core.Handle handle, UUID agentId, long time, byte[] payload) {
        handle.createUpdate("""
                        MERGE INTO metric_latest t
                        USING (SELECT CAST(:agent AS UUID) AS agent_id, CAST(:at AS BIGINT) AS sampled_at) s
                        ON t.agent_id = s.agent_id
                        WHEN MATCHED AND s.sampled_at > t.sampled_at THEN UPDATE SET sampled_at = s.sampled_at, payload = :payload
                        WHEN NOT MATCHED THEN INSERT (agent_id, sampled_at, payload) VALUES (s.agent_id, s.sampled_at, :payload)""")
                .bind("agent", agentId).bind("at", time).bind("payload", payload).execute();
    }

    Map<UUID, Latest> latest(Collection<UUID> agentIds) {
        Map<UUID, Latest> out = new HashMap<>();
        if (agentIds.isEmpty()) {
            return out;
        }
        List<UUID> ids = new ArrayList<>(agentIds);
        for (int from = 0; from < ids.size(); from += 500) {
            List<UUID> chunk = ids.subList(from, Math.min(ids.size(), from + 500));
            jdbi.useHandle(h -> h.createQuery("SELECT agent_id, sampled_at, payload FROM metric_latest WHERE agent_id IN (<ids>)")
                    .bindList("ids", chunk)
                    .map((rs, ctx) -> new Latest(rs.getObject(1, UUID.class), rs.getLong(2), rs.getBytes(3)))
                    .forEach(l -> out.put(l.agentId(), l)));
        }
        return out;
    }

    /** Unpacked samples of one agent in [from, to). */
    List<Row> recent(UUID agentId, long from, long to) {
        return jdbi.withHandle(h -> h.createQuery("""
                        SELECT sampled_at, payload FROM metric_recent
                        WHERE agent_id = :agent AND sampled_at >= :from AND sampled_at < :to ORDER BY sampled_at""")
                .bind("agent", agentId).bind("from", from).bind("to", to)
                .map((rs, ctx) -> new Row(rs.getLong(1), rs.getBytes(2))).list());
    }

    /** Packed hours of one agent starting in [fromHour, toHour); {@code raw} picks the sample blob, else the rollup blob. */
    List<HourRow> hours(UUID agentId, long fromHour, long toHour, boolean raw) {
        String column = raw ? "raw" : "rollup";
        return jdbi.withHandle(h -> h.createQuery("SELECT hour_start, samples, " + column + " FROM metric_hour"
                        + " WHERE agent_id = :agent AND hour_start >= :from AND hour_start < :to ORDER BY hour_start")
                .bind("agent", agentId).bind("from", fromHour).bind("to", toHour)
                .map((rs, ctx) -> new HourRow(rs.getLong(1), rs.getInt(2), rs.getBytes(3))).list());
    }

    Optional<HourRow> hour(UUID agentId, long hourStart) {
        List<HourRow> rows = hours(agentId, hourStart, hourStart + 1, true);
        return rows.isEmpty() ? Optional.empty() : Optional.of(rows.get(0));
    }

    /** Agents with unpacked samples older than {@code before} (at most {@code limit}). */
    List<UUID> agentsWithRecentBefore(long before, int limit) {
        return jdbi.withHandle(h -> h.createQuery("SELECT DISTINCT agent_id FROM metric_recent WHERE sampled_at < :before")
                .bind("before", before).setMaxRows(limit).mapTo(UUID.class).list());
    }

    /**
     * Replaces (or creates) the packed row of one agent's hour and deletes the recent rows it now
     * holds, in one transaction: a crash leaves either the rows or the packed hour, never neither.
     */
    void pack(UUID agentId, long hourStart, int samples, byte[] raw, byte[] rollup, long recentFrom, long recentTo) {
        jdbi.useTransaction(h -> {
            h.createUpdate("""
                            MERGE INTO metric_hour t
                            USING (SELECT CAST(:agent AS UUID) AS agent_id, CAST(:hour AS BIGINT) AS hour_start) s
                            ON t.agent_id = s.agent_id AND t.hour_start = s.hour_start
                            WHEN MATCHED THEN UPDATE SET samples = :samples, raw = :raw, rollup = :rollup
                            WHEN NOT MATCHED THEN INSERT (agent_id, hour_start, samples, raw, rollup)
                                 VALUES (s.agent_id, s.hour_start, :samples, :raw, :rollup)""")
                    .bind("agent", agentId).bind("hour", hourStart).bind("samples", samples).bind("raw", raw).bind("rollup", rollup)
                    .execute();
            h.createUpdate("DELETE FROM metric_recent WHERE agent_id = :agent AND sampled_at >= :from AND sampled_at < :to")
                    .bind("agent", agentId).bind("from", recentFrom).bind("to", recentTo).execute();
        });
    }

    /** Deletes at most {@code limit} packed hours that start before {@code before}; returns how many. */
    int deleteHoursBefore(long before, int limit) {
        return jdbi.inTransaction(h -> {
            List<Map.Entry<UUID, Long>> keys = h.createQuery("SELECT agent_id, hour_start FROM metric_hour WHERE hour_start < :before")
                    .bind("before", before).setMaxRows(limit)
                    .map((rs, ctx) -> Map.entry(rs.getObject(1, UUID.class), rs.getLong(2))).list();
            if (keys.isEmpty()) {
                return 0;
            }
            PreparedBatch batch = h.prepareBatch("DELETE FROM metric_hour WHERE agent_id = :agent AND hour_start = :hour");
            keys.forEach(k -> batch.bind("agent", k.getKey()).bind("hour", k.getValue()).add());
            batch.execute();
            return keys.size();
        });
    }

    /** Deletes at most {@code limit} unpacked samples taken before {@code before}; returns how many. */
    int deleteRecentBefore(long before, int limit) {
        return jdbi.inTransaction(h -> {
            List<Map.Entry<UUID, Long>> keys = h.createQuery("SELECT agent_id, sampled_at FROM metric_recent WHERE sampled_at < :before")
                    .bind("before", before).setMaxRows(limit)
                    .map((rs, ctx) -> Map.entry(rs.getObject(1, UUID.class), rs.getLong(2))).list();
            if (keys.isEmpty()) {
                return 0;
            }
            PreparedBatch batch = h.prepareBatch("DELETE FROM metric_recent WHERE agent_id = :agent AND sampled_at = :at");
            keys.forEach(k -> batch.bind("agent", k.getKey()).bind("at", k.getValue()).add());
            batch.execute();
            return keys.size();
        });
    }

    int deleteLatestBefore(long before) {
        return jdbi.withHandle(h -> h.createUpdate("DELETE FROM metric_latest WHERE sampled_at < :before").bind("before", before).execute());
    }

    /** Rows per table, for the benchmark and tests. */
    public Map<String, Long> rowCounts() {
        Map<String, Long> out = new HashMap<>();
        for (String table : List.of("metric_recent", "metric_hour", "metric_latest")) {
            out.put(table, jdbi.withHandle(h -> h.createQuery("SELECT COUNT(*) FROM " + table).mapTo(Long.class).one()));
        }
        return out;
    }
}
