package com.gururmm.server.release;

import com.gururmm.protocol.api.Releases.Rollout;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.jdbi.v3.core.Jdbi;

/** SQL for {@code release_rollouts}: staged rollout percentage and pause per release file. */
final class RolloutStore {
    private final Jdbi jdbi;

    RolloutStore(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    /** Every release that has a rollout setting; a file without one goes to 100 % of agents. */
    Map<String, Rollout> all() {
        Map<String, Rollout> out = new HashMap<>();
        jdbi.useHandle(h -> h.createQuery("SELECT file, percent, paused, pause_reason, updated_at FROM release_rollouts")
                .map((rs, c) -> Map.entry(rs.getString("file"), new Rollout(rs.getInt("percent"), rs.getBoolean("paused"),
                        rs.getString("pause_reason"), rs.getObject("updated_at", java.time.OffsetDateTime.class).toInstant())))
                .forEach(e -> out.put(e.getKey(), e.getValue())));
        return out;
    }

    Rollout get(String file) {
        return all().getOrDefault(file, Rollout.FULL);
    }

    /** Update, else insert; a concurrent inserter loses on the primary key and we update again. */
    void put(String file, int percent, boolean paused, String reason, String actor, Instant now) {
        jdbi.useTransaction(h -> {
            int updated = h.createUpdate("""
                            UPDATE release_rollouts SET percent = :percent, paused = :paused, pause_reason = :reason,
                                   updated_by = :actor, updated_at = :now WHERE file = :file""")
                    .bind("file", file).bind("percent", percent).bind("paused", paused).bind("reason", reason)
                    .bind("actor", actor).bind("now", now).execute();
            if (updated == 0) {
                h.createUpdate("""
                                INSERT INTO release_rollouts (file, percent, paused, pause_reason, updated_by, updated_at)
                                VALUES (:file, :percent, :paused, :reason, :actor, :now)""")
                        .bind("file", file).bind("percent", percent).bind("paused", paused).bind("reason", reason)
                        .bind("actor", actor).bind("now", now).execute();
            }
        });
    }

    void delete(String file) {
        jdbi.useHandle(h -> h.createUpdate("DELETE FROM release_rollouts WHERE file = :file").bind("file", file).execute());
    }
}
