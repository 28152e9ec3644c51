package com.gururmm.server.monitoring;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.gururmm.protocol.Json;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.StatementContext;

/** SQL for {@code checks} and {@code check_results}. */
final class CheckStore {
    private final Jdbi jdbi;

    CheckStore(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    void insert(Check c) {
        jdbi.useHandle(h -> h.createUpdate("""
                        INSERT INTO checks (id, check_key, name, scope, site, agent_id, scope_key, kind, enabled, severity, params,
                                            created_by, created_at, updated_at)
                        VALUES (:id, :key, :name, :scope, :site, CAST(:agentId AS UUID), :scopeKey, :kind, :enabled, :severity, :params,
                                :createdBy, :createdAt, :updatedAt)""")
                .bindMethods(c).bind("params", json(c.params())).execute());
    }

    void update(Check c) {
        jdbi.useHandle(h -> h.createUpdate("""
                        UPDATE checks SET name = :name, enabled = :enabled, severity = :severity, params = :params, updated_at = :updatedAt
                        WHERE id = :id""")
                .bindMethods(c).bind("params", json(c.params())).execute());
    }

    boolean delete(UUID id) {
        return jdbi.withHandle(h -> h.createUpdate("DELETE FROM checks WHERE id = :id").bind("id", id).execute()) == 1;
    }

    Optional<Check> find(UUID id) {
        return jdbi.withHandle(h -> h.createQuery("SELECT * FROM checks WHERE id = :id").bind("id", id).map(CheckStore::map).findOne());
    }

    boolean keyTaken(String scopeKey, String key) {
        return jdbi.withHandle(h -> h.createQuery("SELECT COUNT(*) FROM checks WHERE scope_key = :s AND check_key = :k")
                .bind("s", scopeKey).bind("k", key).mapTo(Integer.class).one()) > 0;
    }

    /** Every check (a fleet has tens or hundreds, not millions: the catalog holds them all in memory). */
    List<Check> all() {
        return jdbi.withHandle(h -> h.createQuery("SELECT * FROM checks ORDER BY scope_key, check_key").map(CheckStore::map).list());
    }

    /** Keeps the last result of a check on an agent (status and output). */
    void saveResult(UUID agentId, String key, String status, String output, Instant at) {
        // UPDATE, then INSERT when there was no row: portable, and results of one agent arrive on one connection in order.
        jdbi.useTransaction(h -> {
            int n = h.createUpdate("UPDATE check_results SET status = :status, output = :output, at = :at WHERE agent_id = :agent AND check_key = :key")
                    .bind("agent", agentId).bind("key", key).bind("status", status).bind("output", output).bind("at", at).execute();
            if (n == 0) {
                h.createUpdate("INSERT INTO check_results (agent_id, check_key, status, output, at) VALUES (:agent, :key, :status, :output, :at)")
                        .bind("agent", agentId).bind("key", key).bind("status", status).bind("output", output).bind("at", at).execute();
            }
        });
    }

    record Result(String checkKey, String status, String output, Instant at) {
    }

    List<Result> results(UUID agentId) {
        return jdbi.withHandle(h -> h.createQuery("SELECT check_key, status, output, at FROM check_results WHERE agent_id = :a")
                .bind("a", agentId)
                .map((rs, ctx) -> new Result(rs.getString("check_key"), rs.getString("status"), rs.getString("output"),
                        instant(rs, "at"))).list());
    }

    private static Check map(ResultSet rs, StatementContext ctx) throws SQLException {
        CheckParams params;
        try {
            params = Json.mapper().readValue(rs.getString("params"), CheckParams.class);
        } catch (JsonProcessingException e) {
            throw new SQLException("unreadable params of check " + rs.getString("id"), e);
        }
        return new Check(rs.getObject("id", UUID.class), rs.getString("check_key"), rs.getString("name"), rs.getString("scope"),
                rs.getString("site"), rs.getObject("agent_id", UUID.class), rs.getString("scope_key"), rs.getString("kind"),
                rs.getBoolean("enabled"), rs.getString("severity"), params, rs.getString("created_by"), instant(rs, "created_at"),
                instant(rs, "updated_at"));
    }

    static Instant instant(ResultSet rs, String column) throws SQLException {
        OffsetDateTime t = rs.getObject(column, OffsetDateTime.class);
        return t == null ? null : t.toInstant();
    }

    private static String json(CheckParams params) {
        try {
            return Json.mapper().writeValueAsString(params);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
