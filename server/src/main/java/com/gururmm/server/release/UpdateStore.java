package com.gururmm.server.release;

import com.gururmm.protocol.api.Releases.AgentCounts;
import com.gururmm.protocol.api.Releases.UpdateState;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.UnableToExecuteStatementException;

/** SQL for {@code agent_updates} (each agent's latest self-update attempt) and the per-release counts. */
final class UpdateStore {
    static final List<String> PENDING = List.of("offered", "downloading", "restarting");
    static final List<String> FAILED = List.of("failed", "rolled_back");

    private final Jdbi jdbi;

    UpdateStore(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    Optional<UpdateState> get(UUID agentId) {
        return jdbi.withHandle(h -> h.createQuery("SELECT * FROM agent_updates WHERE agent_id = :id")
                .bind("id", agentId)
                .map((rs, c) -> new UpdateState(rs.getString("current_version"), rs.getString("target_version"), rs.getString("file"),
                        rs.getString("state"), rs.getString("reason"), instant(rs.getObject("attempted_at", OffsetDateTime.class)),
                        instant(rs.getObject("updated_at", OffsetDateTime.class))))
                .findOne());
    }

    /**
     * Records a new state. {@code newAttempt} restarts the attempt clock (an offer of a different
     * file); progress reports keep it.
     */
    void put(UUID agentId, String currentVersion, String targetVersion, String file, String state, String reason,
             boolean newAttempt, Instant now) {
        String clippedReason = reason == null || reason.length() <= 2000 ? reason : reason.substring(0, 2000);
        int updated = update(agentId, currentVersion, targetVersion, file, state, clippedReason, newAttempt, now);
        if (updated > 0) {
            return;
        }
        try {
            jdbi.useHandle(h -> h.createUpdate("""
                            INSERT INTO agent_updates (agent_id, current_version, target_version, file, state, reason, attempted_at, updated_at)
                            VALUES (:id, :current, :target, :file, :state, :reason, :now, :now)""")
                    .bind("id", agentId).bind("current", currentVersion).bind("target", targetVersion).bind("file", file)
                    .bind("state", state).bind("reason", clippedReason).bind("now", now).execute());
        } catch (UnableToExecuteStatementException raceLost) {
            update(agentId, currentVersion, targetVersion, file, state, clippedReason, newAttempt, now);
        }
    }

    private int update(UUID agentId, String currentVersion, String targetVersion, String file, String state, String reason,
                       boolean newAttempt, Instant now) {
        return jdbi.withHandle(h -> h.createUpdate("""
                        UPDATE agent_updates SET current_version = :current, target_version = :target, file = :file, state = :state,
                               reason = :reason, updated_at = :now,
                               attempted_at = CASE WHEN :newAttempt THEN :now ELSE attempted_at END
                        WHERE agent_id = :id""")
                .bind("id", agentId).bind("current", currentVersion).bind("target", targetVersion).bind("file", file)
                .bind("state", state).bind("reason", reason).bind("newAttempt", newAttempt).bind("now", now).execute());
    }

    /** Per file: how many agents are pending on it and how many failed on it. */
    Map<String, int[]> pendingAndFailedByFile() {
        return pendingAndFailedByFile(com.gururmm.server.auth.Scope.ALL);
    }

    /** Only agents within {@code scope} are counted (a scoped caller learns nothing of other clients' agents). */
    Map<String, int[]> pendingAndFailedByFile(com.gururmm.server.auth.Scope scope) {
        Map<String, int[]> out = new HashMap<>();
        jdbi.useHandle(h -> h.createQuery("SELECT file, state, COUNT(*) AS n FROM agent_updates WHERE " + scope.agentsSql("agent_id")
                        + " GROUP BY file, state")
                .map((rs, c) -> new Object[] {rs.getString("file"), rs.getString("state"), rs.getInt("n")})
                .forEach(row -> {
                    int[] counts = out.computeIfAbsent((String) row[0], f -> new int[2]);
                    if (PENDING.contains((String) row[1])) {
                        counts[0] += (int) row[2];
                    } else if (FAILED.contains((String) row[1])) {
                        counts[1] += (int) row[2];
                    }
                }));
        return out;
    }

    /** Finished attempts of {@code file}: [took it (succeeded, failed or rolled back), failed or rolled back]. */
    int[] outcomes(String file) {
        int[] out = new int[2];
        jdbi.useHandle(h -> h.createQuery("SELECT state, COUNT(*) AS n FROM agent_updates WHERE file = :file GROUP BY state")
                .bind("file", file)
                .map((rs, c) -> Map.entry(rs.getString("state"), rs.getInt("n")))
                .forEach(e -> {
                    if (e.getKey().equals("succeeded")) {
                        out[0] += e.getValue();
                    } else if (FAILED.contains(e.getKey())) {
                        out[0] += e.getValue();
                        out[1] += e.getValue();
                    }
                }));
        return out;
    }

    /** Agents per (os, arch, version) as they report themselves: who runs which release. */
    Map<String, Integer> runningByPlatformVersion() {
        return runningByPlatformVersion(com.gururmm.server.auth.Scope.ALL);
    }

    Map<String, Integer> runningByPlatformVersion(com.gururmm.server.auth.Scope scope) {
        Map<String, Integer> out = new HashMap<>();
        jdbi.useHandle(h -> h.createQuery("SELECT os, arch, version, COUNT(*) AS n FROM agents WHERE " + scope.sitesSql("site_id")
                        + " GROUP BY os, arch, version")
                .map((rs, c) -> Map.entry(rs.getString("os") + "-" + rs.getString("arch") + "-" + rs.getString("version"), rs.getInt("n")))
                .forEach(e -> out.merge(e.getKey(), e.getValue(), Integer::sum)));
        return out;
    }

    static AgentCounts counts(Map<String, Integer> running, Map<String, int[]> pendingFailed, String platform, String version, String file) {
        int[] pf = pendingFailed.getOrDefault(file, new int[2]);
        return new AgentCounts(running.getOrDefault(platform + "-" + version, 0), pf[0], pf[1]);
    }

    private static Instant instant(OffsetDateTime value) {
        return value == null ? null : value.toInstant();
    }
}
