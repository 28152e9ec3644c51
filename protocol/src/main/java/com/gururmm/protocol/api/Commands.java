package com.gururmm.protocol.api;

import java.time.Instant;
import java.util.UUID;

/** Bodies of the command routes. */
public final class Commands {
    private Commands() {
    }

    /** {@code POST /api/agents/{id}/command}. {@code context} defaults to {@code system}. */
    public record CommandRequest(String commandType, String command, String context, Integer timeoutSeconds) {
    }

    public record CommandSubmitted(UUID commandId, String status) {
    }

    /**
     * {@code GET /api/commands/{id}}; times are ISO-8601 and null until they happen.
     * {@code agent_sandbox} is set when the agent ran the command inside a restricted mount
     * namespace (SPEC section 7), so "Read-only file system" is not mistaken for a read-only host.
     * {@code holdReason} says why a {@code held} command waits for an admin (null otherwise).
     */
    public record CommandView(
            UUID id,
            UUID agentId,
            String commandType,
            String commandText,
            String context,
            String status,
            Integer exitCode,
            String stdout,
            String stderr,
            boolean stdoutTruncated,
            boolean stderrTruncated,
            String error,
            int timeoutSeconds,
            String createdBy,
            Instant createdAt,
            Instant startedAt,
            Instant completedAt,
            String agentSandbox,
            String holdReason) {
    }
}
