package com.gururmm.server.monitoring;

import com.gururmm.protocol.api.Checks.CheckView;
import java.time.Instant;
import java.util.UUID;

/** One stored check with its parsed settings. {@code scopeKey}: {@code fleet}, {@code site:<name>} or {@code agent:<id>}. */
public record Check(UUID id, String key, String name, String scope, String site, UUID agentId, String scopeKey, String kind,
             boolean enabled, String severity, CheckParams params, String createdBy, Instant createdAt, Instant updatedAt) {

    static String scopeKey(String scope, String site, UUID agentId) {
        return switch (scope) {
            case "fleet" -> "fleet";
            case "site" -> "site:" + site;
            default -> "agent:" + agentId;
        };
    }

    boolean agentSide() {
        return com.gururmm.protocol.api.Checks.AGENT_SIDE.contains(kind);
    }

    /** What the alert says when this check fires. */
    String title() {
        if (name != null && !name.isBlank()) {
            return name;
        }
        CheckParams p = params;
        return switch (kind) {
            case "metric_threshold" -> p.metric() + " " + p.operator() + " " + Durations.number(p.threshold())
                    + (p.durationSeconds() != null && p.durationSeconds() > 0 ? " for " + Durations.format(p.durationSeconds()) : "");
            case "agent_offline" -> "agent offline for " + Durations.number(p.minutes()) + " min";
            case "service" -> "service " + p.service() + " not running";
            case "process" -> "process " + p.process() + " not running";
            case "tcp_port" -> "TCP " + p.host() + ":" + p.port() + " unreachable";
            case "http" -> "HTTP " + p.url() + " failing";
            case "pending_updates_older_than_days" -> "updates pending for over " + p.days() + " days";
            case "reboot_required" -> "reboot required";
            case "script" -> "script check " + key;
            default -> key;
        };
    }

    CheckView view() {
        CheckParams p = params;
        return new CheckView(id, key, name, scope, site, agentId, kind, enabled, severity, p.metric(), p.operator(), p.threshold(),
                p.durationSeconds() == null ? null : Durations.format(p.durationSeconds()), p.minutes(), p.service(), p.process(),
                p.host(), p.port(), p.url(), p.timeoutSeconds(), p.expectedStatus(), p.days(), p.script(), p.scriptType(),
                p.intervalMinutes(), createdBy, createdAt, updatedAt);
    }
}
