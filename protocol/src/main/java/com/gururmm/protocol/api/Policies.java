package com.gururmm.protocol.api;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Bodies of the policy routes ({@code /api/policies}, {@code GET /api/agents/{id}/policies};
 * docs/OPERATIONS.md "Automation"). A policy bundles checks (the settings of
 * {@code POST /api/checks}, without scope) and scheduled tasks (a script on a timing, without
 * targets); it applies where it is assigned (the fleet, a client, a site) to every agent there
 * except the excluded ones.
 */
public final class Policies {
    /** Assignment levels, least specific first. */
    public static final List<String> LEVELS = List.of("fleet", "client", "site");

    private Policies() {
    }

    /** {@code POST /api/policies}; for {@code PATCH}, a null list keeps what the policy has, a given list replaces it. */
    public record PolicyRequest(String name, String description, List<Checks.CheckRequest> checks, List<Task> tasks) {
    }

    /** A task: the timing and parameters of a schedule ({@link Schedules.ScheduleRequest}), without targets. */
    public record Task(String name, UUID scriptId, Integer scriptVersion, Map<String, Object> parameters, String cron,
                       Integer intervalSeconds, Instant at, String timeZone, Boolean skipIfMissed, Boolean enabled) {
    }

    /** {@code POST /api/policies/{id}/assignments}: {@code fleet}, or {@code client} with {@code clientId}, or {@code site} with {@code siteId}. */
    public record AssignmentRequest(String level, UUID clientId, UUID siteId) {
    }

    public record Assignment(UUID id, String level, UUID clientId, UUID siteId, String createdBy, Instant createdAt) {
    }

    /** {@code POST /api/policies/{id}/exclusions}: the agent the policy no longer applies to. */
    public record ExclusionRequest(UUID agentId) {
    }

    /** A policy's check: its key and kind, and the settings as given. */
    public record PolicyCheck(String key, String kind, String severity, Checks.CheckRequest settings) {
    }

    /** Assignments and exclusions are those in the caller's scope. */
    public record PolicyView(UUID id, String name, String description, List<PolicyCheck> checks, List<Schedules.ScheduleView> tasks,
                             List<Assignment> assignments, List<UUID> excludedAgentIds, String createdBy, Instant createdAt,
                             Instant updatedAt) {
    }

    /**
     * A policy as it applies to one agent: {@code source} is where it came from (the most
     * specific assignment reaching the agent: {@code site}, else {@code client}, else
     * {@code fleet}), {@code sources} every assignment that reaches it.
     */
    public record AppliedPolicy(UUID policyId, String name, String source, UUID clientId, UUID siteId, List<Assignment> sources,
                                List<PolicyCheck> checks, List<AppliedTask> tasks) {
    }

    public record AppliedTask(UUID scheduleId, String name, UUID scriptId, String scriptName, String timing, Instant nextRunAt) {
    }

    /** {@code GET /api/agents/{id}/policies}: what applies, and the policies that would but exclude this agent. */
    public record AgentPolicies(UUID agentId, List<AppliedPolicy> applied, List<AppliedPolicy> excluded) {
    }
}
