package com.gururmm.protocol.api;

import java.time.Instant;
import java.util.UUID;

/** Bodies of {@code /api/alerts} and {@code /api/maintenance-windows}. */
public final class Alerts {
    private Alerts() {
    }

    /**
     * One alert. {@code state} is {@code open}, {@code acknowledged} or {@code resolved};
     * {@code occurrences} counts how often the condition came back while the alert lived (flap guard).
     *
     * @param silenced raised while a maintenance window covered the agent: kept, not notified
     */
    public record AlertView(
            UUID id,
            UUID agentId,
            String hostname,
            String site,
            String checkKey,
            UUID checkId,
            String kind,
            String severity,
            String state,
            String title,
            String message,
            String lastValue,
            int occurrences,
            boolean silenced,
            Instant openedAt,
            Instant updatedAt,
            Instant acknowledgedAt,
            String acknowledgedBy,
            Instant resolvedAt,
            String resolvedBy) {
    }

    /** {@code GET /api/alerts/counts}: alerts not yet resolved, for the navigation badge. */
    public record AlertCounts(int open, int acknowledged, int critical, int warning, int info, int silenced) {
    }

    /**
     * {@code GET /api/alerts/counts?by=agent}: one row per agent (in the caller's scope) that has unresolved alerts;
     * {@code worst_severity} is the highest of them (critical, warning, info). Agents without one are not listed.
     */
    public record AgentAlertCount(UUID agentId, int open, int acknowledged, String worstSeverity) {
    }

    /** {@code POST /api/maintenance-windows}: one agent or one site, from {@code starts_at} (default now) to {@code ends_at}. */
    public record MaintenanceWindowRequest(UUID agentId, String site, Instant startsAt, Instant endsAt, String reason) {
    }

    public record MaintenanceWindowView(UUID id, UUID agentId, String site, Instant startsAt, Instant endsAt, String reason,
                                        String createdBy, Instant createdAt, boolean active) {
    }
}
