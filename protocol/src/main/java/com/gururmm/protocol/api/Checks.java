package com.gururmm.protocol.api;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * Bodies of {@code /api/checks} and {@code GET /api/agents/{id}/checks}. One flat shape for every
 * kind: the fields a kind does not use are null (docs/OPERATIONS.md, "Checks and alerts", lists
 * which kind takes which).
 */
public final class Checks {
    private Checks() {
    }

    public static final List<String> KINDS = List.of("metric_threshold", "agent_offline", "service", "process", "tcp_port", "http",
            "pending_updates_older_than_days", "reboot_required", "script");
    /** Kinds the agent runs itself (pushed to it in {@code checks_config}). */
    public static final List<String> AGENT_SIDE = List.of("service", "process", "tcp_port", "http", "pending_updates_older_than_days",
            "reboot_required", "script");
    public static final List<String> SEVERITIES = List.of("info", "warning", "critical");
    public static final List<String> SCOPES = List.of("fleet", "site", "agent");

    /**
     * Create ({@code POST}) or change ({@code PATCH}: null leaves a field as it is; scope, site,
     * agent and kind cannot change).
     *
     * @param key              stable name of the check; a narrower scope's check with the same key
     *                         replaces the inherited one (default: derived from kind and target)
     * @param duration         metric_threshold: how long every sample must breach, e.g. {@code 5m}, {@code 90s}, {@code 0s}
     * @param minutes          agent_offline: minutes without a connection (fractions allowed)
     * @param intervalMinutes  agent-side kinds: minutes between runs (fractions allowed)
     */
    public record CheckRequest(
            String key,
            String name,
            String scope,
            String site,
            UUID agentId,
            String kind,
            Boolean enabled,
            String severity,
            String metric,
            String operator,
            Double threshold,
            String duration,
            Double minutes,
            String service,
            String process,
            String host,
            Integer port,
            String url,
            Integer timeoutSeconds,
            Integer expectedStatus,
            Integer days,
            String script,
            String scriptType,
            Double intervalMinutes) {
    }

    public record CheckView(
            UUID id,
            String key,
            String name,
            String scope,
            String site,
            UUID agentId,
            String kind,
            boolean enabled,
            String severity,
            String metric,
            String operator,
            Double threshold,
            String duration,
            Double minutes,
            String service,
            String process,
            String host,
            Integer port,
            String url,
            Integer timeoutSeconds,
            Integer expectedStatus,
            Integer days,
            String script,
            String scriptType,
            Double intervalMinutes,
            String createdBy,
            Instant createdAt,
            Instant updatedAt) {
    }

    /**
     * One check as it applies to one agent.
     *
     * @param origin   the scope it comes from: {@code fleet}, {@code site} or {@code agent}
     * @param replaces ids of the inherited checks with the same key that this one overrides
     * @param lastStatus the last result the agent (or the server) reported: {@code ok}, {@code warning}, {@code critical}; null before the first
     */
    public record EffectiveCheck(CheckView check, String origin, List<UUID> replaces, String lastStatus, String lastOutput,
                                 Instant lastResultAt) {
    }
}
