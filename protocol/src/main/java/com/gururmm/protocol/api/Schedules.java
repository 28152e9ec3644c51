package com.gururmm.protocol.api;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** Bodies of the scheduled task routes ({@code /api/schedules}, docs/OPERATIONS.md "Automation"). */
public final class Schedules {
    private Schedules() {
    }

    /**
     * {@code POST /api/schedules} (and {@code PATCH}, where null fields keep their value). Exactly
     * one of {@code cron} (5 fields, or 6 with leading seconds), {@code intervalSeconds} and
     * {@code at} (a one-off); exactly one of {@code agentIds} and {@code filter}. {@code timeZone}
     * (an IANA name, default UTC) is the zone the cron expression is read in. {@code scriptVersion}
     * pins what runs (default: the script's current version); editing the script later does not
     * change an existing schedule. With {@code skipIfMissed} an occurrence the server was down
     * for is skipped, and an offline agent's run expires when the next occurrence is due
     * instead of waiting for the agent.
     */
    public record ScheduleRequest(String name, UUID scriptId, Integer scriptVersion, Map<String, Object> parameters,
                                  List<UUID> agentIds, Batches.AgentFilter filter, String cron, Integer intervalSeconds, Instant at,
                                  String timeZone, Boolean skipIfMissed, Boolean enabled) {
        public ScheduleRequest(UUID scriptId, Map<String, Object> parameters, List<UUID> agentIds, Batches.AgentFilter filter,
                               String cron, Integer intervalSeconds) {
            this(null, scriptId, null, parameters, agentIds, filter, cron, intervalSeconds, null, null, null, null);
        }
    }

    /** A schedule; {@code policyId} is set for a policy's task (its targets are the policy's agents). */
    public record ScheduleView(UUID id, String name, UUID scriptId, String scriptName, int scriptVersion, Map<String, String> parameters,
                               List<UUID> agentIds, Batches.AgentFilter filter, UUID policyId, String kind, String cron,
                               Integer intervalSeconds, Instant at, String timeZone, boolean skipIfMissed, boolean enabled,
                               Instant nextRunAt, String createdBy, Instant createdAt, Instant updatedAt) {
    }

    /**
     * One occurrence ({@code GET /api/schedules/{id}/runs}, newest first). {@code status}:
     * {@code submitted} (a batch was created: {@code batchId}, its progress in {@code counts}),
     * {@code missed} (the server was down and the schedule skips missed runs), {@code failed}
     * (nothing could run: {@code message} says why).
     */
    public record ScheduleRun(UUID scheduleId, Instant occurrenceAt, Instant firedAt, String status, String message, UUID batchId,
                              Integer agentCount, Map<String, Integer> counts, Boolean done, String node) {
    }
}
