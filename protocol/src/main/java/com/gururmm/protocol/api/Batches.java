package com.gururmm.protocol.api;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** Bodies of the bulk command routes: {@code POST /api/commands} and {@code GET /api/batches/{id}}. */
public final class Batches {
    private Batches() {
    }

    /**
     * One command for many agents. Exactly one of {@code agentIds} and {@code filter} is given;
     * the command fields mean what they mean in {@link Commands.CommandRequest}.
     */
    public record BatchRequest(
            List<UUID> agentIds,
            AgentFilter filter,
            String commandType,
            String command,
            String context,
            Integer timeoutSeconds,
            String view) {

        public BatchRequest(List<UUID> agentIds, AgentFilter filter, String commandType, String command, String context,
                            Integer timeoutSeconds) {
            this(agentIds, filter, commandType, command, context, timeoutSeconds, null);
        }

        public Commands.CommandRequest toCommandRequest() {
            return new Commands.CommandRequest(commandType, command, context, timeoutSeconds, view);
        }
    }

    /**
     * Selects agents the way {@code GET /api/agents} filters them; every field is optional and an
     * empty filter selects every agent
     * (in the caller's scope). {@code clientId} / {@code siteId} narrow it to one client or site. {@code hostname} is a glob ({@code *}, {@code ?}).
     */
    public record AgentFilter(String status, String os, String site, String hostname, UUID clientId, UUID siteId) {
        public AgentFilter(String status, String os, String site, String hostname) {
            this(status, os, site, hostname, null, null);
        }
    }

    public record BatchSubmitted(UUID batchId, int agentCount) {
    }

    /**
     * Progress of a batch. {@code counts} maps each command status to how many of the batch's
     * commands are in it; {@code done} is true once none is {@code queued}, {@code held} or {@code running}.
     * {@code results} holds one entry per agent (omitted with {@code ?results=false}).
     */
    public record BatchView(
            UUID id,
            String commandType,
            String commandText,
            String context,
            int timeoutSeconds,
            String target,
            String createdBy,
            Instant createdAt,
            int agentCount,
            Map<String, Integer> counts,
            boolean done,
            List<BatchResult> results) {
    }

    /** One agent's part of a batch; {@code commandId} is null if the command could not be created. */
    public record BatchResult(
            UUID agentId,
            UUID commandId,
            String status,
            Integer exitCode,
            String stdout,
            String stderr,
            String error,
            Instant completedAt) {
    }
}
