package com.gururmm.server.monitoring;

import com.gururmm.protocol.api.Alerts.MaintenanceWindowRequest;
import com.gururmm.protocol.api.Alerts.MaintenanceWindowView;
import com.gururmm.server.audit.AuditLog;
import com.gururmm.server.auth.Principal;
import com.gururmm.server.auth.Scope;
import com.gururmm.server.http.ApiException;
import com.gururmm.server.http.Bodies;
import com.gururmm.server.routing.AccessFilter;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.jdbi.v3.core.Jdbi;

/**
 * Maintenance windows: while one covers an agent (its own, or its site's), alerts on it are still
 * recorded, marked {@code silenced}, and not notified. Windows that have not ended yet are held
 * in memory (reloaded after each change), so every alert decision is a lookup, not a query.
 */
final class MaintenanceWindows {
    static final Duration MAX_LENGTH = Duration.ofDays(366);

    private final Jdbi jdbi;
    private final AuditLog audit;
    private final Clock clock;
    private final AccessFilter.AgentScope scope;
    private final Visibility visibility;
    private volatile List<MaintenanceWindowView> current = List.of();

    MaintenanceWindows(Jdbi jdbi, AuditLog audit, Clock clock, AccessFilter.AgentScope scope) {
        this(jdbi, audit, clock, scope, Visibility.ALL);
    }

    MaintenanceWindows(Jdbi jdbi, AuditLog audit, Clock clock, AccessFilter.AgentScope scope, Visibility visibility) {
        this.visibility = visibility;
        this.jdbi = jdbi;
        this.audit = audit;
        this.clock = clock;
        this.scope = scope;
    }

    private volatile Runnable onChange = () -> { };

    /** Told after this node created, changed or deleted a window (the module tells the other nodes). */
    void onChange(Runnable listener) {
        this.onChange = listener;
    }

    synchronized void reload() {
        Instant now = clock.instant();
        current = jdbi.withHandle(h -> h.createQuery(select() + " WHERE ends_at > :now").bind("now", now)
                .map((rs, ctx) -> view(rs, now)).list());
    }

    boolean covers(UUID agentId, String site, Instant at) {
        for (MaintenanceWindowView w : current) {
            if (!at.isBefore(w.startsAt()) && at.isBefore(w.endsAt())
                    && (agentId.equals(w.agentId()) || (site != null && site.equals(w.site())))) {
                return true;
            }
        }
        return false;
    }

    MaintenanceWindowView create(Principal actor, MaintenanceWindowRequest r) {
        if ((r.agentId() == null) == (r.site() == null || r.site().isBlank())) {
            throw ApiException.badRequest("Give exactly one of 'agent_id' or 'site': a window covers one agent or one site.");
        }
        if (r.site() != null && r.site().length() > 200) {
            throw ApiException.badRequest("Field 'site' is longer than 200 characters.");
        }
        if (r.agentId() != null) {
            if (!visibility.agent(actor, r.agentId())) {
                // As for an unknown agent in a check: existence does not leak.
                throw ApiException.badRequest("Field 'agent_id' names no agent (" + r.agentId() + ").");
            }
            scope.check(actor, r.agentId());
        } else {
            authorizeSite(actor, r.site().trim());
        }
        Instant now = clock.instant();
        Instant starts = r.startsAt() == null ? now : r.startsAt();
        if (r.endsAt() == null) {
            throw ApiException.badRequest("Field 'ends_at' is required (an ISO-8601 time after 'starts_at').");
        }
        validateSpan(starts, r.endsAt());
        String reason = checkReason(r.reason());
        UUID id = UUID.randomUUID();
        jdbi.useHandle(h -> h.createUpdate("""
                        INSERT INTO maintenance_windows (id, agent_id, site, starts_at, ends_at, reason, created_by, created_at)
                        VALUES (:id, CAST(:agent AS UUID), :site, :starts, :ends, :reason, :by, :now)""")
                .bind("id", id).bind("agent", r.agentId()).bind("site", r.agentId() == null ? r.site().trim() : null)
                .bind("starts", starts).bind("ends", r.endsAt()).bind("reason", reason).bind("by", actor.name()).bind("now", now).execute());
        audit.record(actor.name(), "maintenance_window.create", id.toString(),
                (r.agentId() != null ? "agent=" + r.agentId() : "site=" + r.site()) + " from " + starts + " to " + r.endsAt());
        reload();
        onChange.run();
        return find(id).orElseThrow();
    }

    MaintenanceWindowView update(Principal actor, UUID id, MaintenanceWindowRequest r) {
        MaintenanceWindowView w = find(actor, id).orElseThrow(() -> ApiException.notFound("maintenance window", id));
        authorize(actor, w);
        if ((r.agentId() != null && !r.agentId().equals(w.agentId())) || (r.site() != null && !r.site().equals(w.site()))) {
            throw ApiException.badRequest("'agent_id' and 'site' of a maintenance window cannot change; create a new window.");
        }
        Instant starts = r.startsAt() == null ? w.startsAt() : r.startsAt();
        Instant ends = r.endsAt() == null ? w.endsAt() : r.endsAt();
        validateSpan(starts, ends);
        String reason = r.reason() == null ? w.reason() : checkReason(r.reason());
        jdbi.useHandle(h -> h.createUpdate("UPDATE maintenance_windows SET starts_at = :s, ends_at = :e, reason = :r WHERE id = :id")
                .bind("s", starts).bind("e", ends).bind("r", reason).bind("id", id).execute());
        audit.record(actor.name(), "maintenance_window.update", id.toString(), "from " + starts + " to " + ends);
        reload();
        onChange.run();
        return find(id).orElseThrow();
    }

    void delete(Principal actor, UUID id) {
        MaintenanceWindowView w = find(actor, id).orElseThrow(() -> ApiException.notFound("maintenance window", id));
        authorize(actor, w);
        jdbi.useHandle(h -> h.createUpdate("DELETE FROM maintenance_windows WHERE id = :id").bind("id", id).execute());
        audit.record(actor.name(), "maintenance_window.delete", id.toString(), null);
        reload();
        onChange.run();
    }

    private void authorize(Principal actor, MaintenanceWindowView w) {
        if (w.agentId() != null) {
            scope.check(actor, w.agentId());
        } else {
            authorizeSite(actor, w.site());
        }
    }

    /** A scoped caller's site window must name a site in their scope, and no site of that name may be outside it. */
    private void authorizeSite(Principal actor, String site) {
        if (actor.scope().all()) {
            return;
        }
        if (!visibility.siteName(actor, site)) {
            throw ApiException.badRequest("Field 'site' names no site in your scope ('" + Bodies.truncate(site) + "').");
        }
        if (!visibility.wholeSiteName(actor, site)) {
            throw ApiException.forbidden("A site maintenance window covers every site named '" + Bodies.truncate(site)
                    + "', and one of them is outside your scope; use agent windows, or ask an admin.");
        }
    }

    /** A window the caller may not see (its agent or site is outside their scope) is not found. */
    Optional<MaintenanceWindowView> find(Principal caller, UUID id) {
        return find(id).filter(w -> caller.scope().all()
                || (w.agentId() != null ? visibility.agent(caller, w.agentId()) : visibility.siteName(caller, w.site())));
    }

    Optional<MaintenanceWindowView> find(UUID id) {
        Instant now = clock.instant();
        return jdbi.withHandle(h -> h.createQuery(select() + " WHERE id = :id").bind("id", id).map((rs, ctx) -> view(rs, now)).findOne());
    }

    /** Newest first; {@code activeOnly}: windows covering now. Only windows of agents, or sites by name, within {@code scope}. */
    List<MaintenanceWindowView> list(Scope scope, UUID agentId, String site, boolean activeOnly) {
        Instant now = clock.instant();
        String inScope = scope.all() ? "1=1" : "((agent_id IS NOT NULL AND " + scope.agentsSql("agent_id") + ") OR (agent_id IS NULL AND site IN "
                + "(SELECT scope_s.name FROM sites scope_s WHERE " + scope.sitesSql("scope_s.id") + ")))";
        return jdbi.withHandle(h -> h.createQuery(select() + " " + """
                         WHERE (CAST(:agent AS UUID) IS NULL OR agent_id = CAST(:agent AS UUID))
                          AND (CAST(:site AS VARCHAR(200)) IS NULL OR site = :site)
                          AND (NOT CAST(:active AS BOOLEAN) OR (starts_at <= :now AND ends_at > :now))
                          """ + " AND " + inScope + " ORDER BY starts_at DESC, id LIMIT 1000")
                .bind("agent", agentId).bind("site", site).bind("active", activeOnly).bind("now", now)
                .map((rs, ctx) -> view(rs, now)).list());
    }

    private static void validateSpan(Instant starts, Instant ends) {
        if (!ends.isAfter(starts)) {
            throw ApiException.badRequest("'ends_at' (" + ends + ") must be after 'starts_at' (" + starts + ").");
        }
        if (Duration.between(starts, ends).compareTo(MAX_LENGTH) > 0) {
            throw ApiException.badRequest("A maintenance window may last at most 366 days; 'ends_at' is too far after 'starts_at'.");
        }
    }

    private static String checkReason(String reason) {
        if (reason != null && reason.length() > 500) {
            throw ApiException.badRequest("Field 'reason' is longer than 500 characters.");
        }
        return reason;
    }

    private static String select() {
        return "SELECT id, agent_id, site, starts_at, ends_at, reason, created_by, created_at FROM maintenance_windows";
    }

    private static MaintenanceWindowView view(java.sql.ResultSet rs, Instant now) throws java.sql.SQLException {
        Instant starts = CheckStore.instant(rs, "starts_at");
        Instant ends = CheckStore.instant(rs, "ends_at");
        return new MaintenanceWindowView(rs.getObject("id", UUID.class), rs.getObject("agent_id", UUID.class), rs.getString("site"),
                starts, ends, rs.getString("reason"), rs.getString("created_by"), CheckStore.instant(rs, "created_at"),
                !now.isBefore(starts) && now.isBefore(ends));
    }
}
