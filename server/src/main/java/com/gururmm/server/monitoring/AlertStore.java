package com.gururmm.server.monitoring;

import com.gururmm.protocol.api.Alerts.AgentAlertCount;
import com.gururmm.protocol.api.Alerts.AlertCounts;
import com.gururmm.protocol.api.Alerts.AlertView;
import com.gururmm.server.auth.Scope;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.jdbi.v3.core.Jdbi;

/**
 * SQL for {@code alerts}. Every state change is a conditional UPDATE on the state it leaves, so
 * two callers racing (an auto-resolve and a user's acknowledge) cannot both win; the unique
 * {@code open_key} makes a second unresolved alert for the same agent and check impossible.
 */
final class AlertStore {
    private static final String COLUMNS = """
            id, agent_id, hostname, site, check_key, check_id, kind, severity, state, title, message, last_value, occurrences,
            silenced, opened_at, updated_at, acknowledged_at, acknowledged_by, resolved_at, resolved_by""";

    private final Jdbi jdbi;

    AlertStore(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    static String openKey(UUID agentId, String checkKey) {
        return agentId + "/" + checkKey;
    }

    void insert(AlertView a) {
        jdbi.useHandle(h -> h.createUpdate("INSERT INTO alerts (" + COLUMNS + ", open_key) VALUES (:id, :agentId, :hostname, :site, "
                        + ":checkKey, CAST(:checkId AS UUID), :kind, :severity, :state, :title, :message, :lastValue, :occurrences, :silenced, :openedAt, "
                        + ":updatedAt, CAST(:acknowledgedAt AS TIMESTAMP WITH TIME ZONE), :acknowledgedBy, "
                        + "CAST(:resolvedAt AS TIMESTAMP WITH TIME ZONE), :resolvedBy, :openKey)")
                .bindMethods(a).bind("openKey", openKey(a.agentId(), a.checkKey())).execute());
    }

    /** Alerts changed at or after {@code since}, oldest change first (notifications' catch-up). */
    List<AlertView> changedSince(Instant since, int limit) {
        return jdbi.withHandle(h -> h.createQuery("SELECT " + COLUMNS + " FROM alerts WHERE updated_at >= :since ORDER BY updated_at LIMIT :limit")
                .bind("since", since).bind("limit", limit).mapTo(AlertView.class).list());
    }

    Optional<AlertView> find(UUID id) {
        return jdbi.withHandle(h -> h.createQuery("SELECT " + COLUMNS + " FROM alerts WHERE id = :id").bind("id", id)
                .mapTo(AlertView.class).findOne());
    }

    Optional<AlertView> findOpen(UUID agentId, String checkKey) {
        return jdbi.withHandle(h -> h.createQuery("SELECT " + COLUMNS + " FROM alerts WHERE open_key = :k")
                .bind("k", openKey(agentId, checkKey)).mapTo(AlertView.class).findOne());
    }

    /** The newest alert of this check on this agent resolved at or after {@code since}. */
    Optional<AlertView> findResolvedSince(UUID agentId, String checkKey, Instant since) {
        return jdbi.withHandle(h -> h.createQuery("SELECT " + COLUMNS + " FROM alerts WHERE agent_id = :a AND check_key = :k "
                        + "AND state = 'resolved' AND resolved_at >= :since ORDER BY resolved_at DESC LIMIT 1")
                .bind("a", agentId).bind("k", checkKey).bind("since", since).mapTo(AlertView.class).findOne());
    }

    boolean exists(UUID agentId, String checkKey) {
        return jdbi.withHandle(h -> h.createQuery("SELECT COUNT(*) FROM alerts WHERE agent_id = :a AND check_key = :k")
                .bind("a", agentId).bind("k", checkKey).mapTo(Integer.class).one()) > 0;
    }

    /** Resolved → open again (flap guard): same row, one more occurrence. */
    boolean reopen(UUID id, UUID agentId, String checkKey, String severity, String message, String lastValue, boolean silenced, Instant now) {
        return jdbi.withHandle(h -> h.createUpdate("""
                        UPDATE alerts SET state = 'open', open_key = :openKey, severity = :severity, message = :message,
                               last_value = :lastValue, silenced = :silenced, occurrences = occurrences + 1, updated_at = :now,
                               resolved_at = NULL, resolved_by = NULL, acknowledged_at = NULL, acknowledged_by = NULL
                        WHERE id = :id AND state = 'resolved'""")
                .bind("id", id).bind("openKey", openKey(agentId, checkKey)).bind("severity", severity).bind("message", message)
                .bind("lastValue", lastValue).bind("silenced", silenced).bind("now", now).execute()) == 1;
    }

    /** A still-unresolved alert whose condition got worse (or better) without clearing: new severity and value. */
    boolean update(UUID id, String severity, String message, String lastValue, Instant now) {
        return jdbi.withHandle(h -> h.createUpdate("""
                        UPDATE alerts SET severity = :severity, message = :message, last_value = :lastValue, updated_at = :now
                        WHERE id = :id AND state <> 'resolved'""")
                .bind("id", id).bind("severity", severity).bind("message", message).bind("lastValue", lastValue).bind("now", now)
                .execute()) == 1;
    }

    boolean acknowledge(UUID id, String by, Instant now) {
        return jdbi.withHandle(h -> h.createUpdate("""
                        UPDATE alerts SET state = 'acknowledged', acknowledged_at = :now, acknowledged_by = :by, updated_at = :now
                        WHERE id = :id AND state = 'open'""")
                .bind("id", id).bind("by", by).bind("now", now).execute()) == 1;
    }

    boolean resolve(UUID id, String by, Instant now) {
        return jdbi.withHandle(h -> h.createUpdate("""
                        UPDATE alerts SET state = 'resolved', open_key = NULL, resolved_at = :now, resolved_by = :by, updated_at = :now
                        WHERE id = :id AND state <> 'resolved'""")
                .bind("id", id).bind("by", by).bind("now", now).execute()) == 1;
    }

    /**
     * Filters are optional (null = any); {@code state} {@code active} means open or acknowledged. Newest first.
     * Only alerts of agents within {@code scope}.
     */
    List<AlertView> list(Scope scope, String state, String severity, UUID agentId, String site, String checkKey, Instant since, int limit) {
        return jdbi.withHandle(h -> h.createQuery("SELECT " + COLUMNS + """
                         FROM alerts
                        WHERE (CAST(:state AS VARCHAR(15)) IS NULL OR state = :state OR (:state = 'active' AND state <> 'resolved'))
                          AND (CAST(:severity AS VARCHAR(10)) IS NULL OR severity = :severity)
                          AND (CAST(:agent AS UUID) IS NULL OR agent_id = CAST(:agent AS UUID))
                          AND (CAST(:site AS VARCHAR(200)) IS NULL OR site = :site)
                          AND (CAST(:check AS VARCHAR(200)) IS NULL OR check_key = :check)
                          AND (CAST(:since AS TIMESTAMP WITH TIME ZONE) IS NULL OR updated_at >= CAST(:since AS TIMESTAMP WITH TIME ZONE))
                          """ + " AND " + scope.agentsSql("agent_id") + " ORDER BY opened_at DESC, id LIMIT :limit")
                .bind("state", state).bind("severity", severity).bind("agent", agentId).bind("site", site).bind("check", checkKey)
                .bind("since", since).bind("limit", limit).mapTo(AlertView.class).list());
    }

    /** Unresolved alerts of agents within {@code scope}. */
    AlertCounts counts(Scope scope) {
        return jdbi.withHandle(h -> h.createQuery("""
                        SELECT COALESCE(SUM(CASE WHEN state = 'open' THEN 1 ELSE 0 END), 0) AS open_n,
                               COALESCE(SUM(CASE WHEN state = 'acknowledged' THEN 1 ELSE 0 END), 0) AS ack_n,
                               COALESCE(SUM(CASE WHEN severity = 'critical' THEN 1 ELSE 0 END), 0) AS critical_n,
                               COALESCE(SUM(CASE WHEN severity = 'warning' THEN 1 ELSE 0 END), 0) AS warning_n,
                               COALESCE(SUM(CASE WHEN severity = 'info' THEN 1 ELSE 0 END), 0) AS info_n,
                               COALESCE(SUM(CASE WHEN silenced THEN 1 ELSE 0 END), 0) AS silenced_n
                        FROM alerts WHERE open_key IS NOT NULL""" + " AND " + scope.agentsSql("agent_id"))
                .map((rs, ctx) -> new AlertCounts(rs.getInt("open_n"), rs.getInt("ack_n"), rs.getInt("critical_n"), rs.getInt("warning_n"),
                        rs.getInt("info_n"), rs.getInt("silenced_n"))).one());
    }

    /** Unresolved alerts per agent within {@code scope}: one grouped query for the whole fleet (the fleet page's column). */
    List<AgentAlertCount> countsByAgent(Scope scope) {
        return jdbi.withHandle(h -> h.createQuery("""
                        SELECT agent_id,
                               SUM(CASE WHEN state = 'open' THEN 1 ELSE 0 END) AS open_n,
                               SUM(CASE WHEN state = 'acknowledged' THEN 1 ELSE 0 END) AS ack_n,
                               MAX(CASE severity WHEN 'critical' THEN 3 WHEN 'warning' THEN 2 ELSE 1 END) AS worst
                        FROM alerts WHERE open_key IS NOT NULL""" + " AND " + scope.agentsSql("agent_id") + " GROUP BY agent_id")
                .map((rs, ctx) -> new AgentAlertCount(UUID.fromString(rs.getString("agent_id")), rs.getInt("open_n"), rs.getInt("ack_n"),
                        switch (rs.getInt("worst")) {
                            case 3 -> "critical";
                            case 2 -> "warning";
                            default -> "info";
                        })).list());
    }

    /** Agent id and check key of every unresolved alert (read once at start by the evaluators). */
    /** The check keys of the agent's unresolved (open or acknowledged) alerts. */
    java.util.Set<String> openCheckKeys(UUID agentId) {
        return jdbi.withHandle(h -> h.createQuery("SELECT check_key FROM alerts WHERE agent_id = :a AND open_key IS NOT NULL")
                .bind("a", agentId).mapTo(String.class).set());
    }
}
