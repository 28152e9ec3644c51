package com.gururmm.server.command;

import java.time.Instant;
import java.util.UUID;

/**
 * One row of {@code commands}. {@code holdReason}: why a {@code held} command waits for an admin;
 * {@code env}: extra environment variables as a JSON object (a saved script's parameters), or null.
 * {@code requestedView}: {@code sandbox} when the submitter kept the command inside the agent's
 * sandbox, else null (host, the default); {@code resultView}: the view the agent reports it had.
 */
public record CommandRow(
        UUID id,
        UUID agentId,
        String commandType,
        String commandText,
        String context,
        int timeoutSeconds,
        String status,
        Integer exitCode,
        String stdout,
        String stderr,
        boolean stdoutTruncated,
        boolean stderrTruncated,
        String error,
        boolean failedByServer,
        String createdBy,
        Instant createdAt,
        Instant expiresAt,
        Instant dispatchedAt,
        Instant deadlineAt,
        Instant startedAt,
        Instant completedAt,
        String sandboxNote,
        String holdReason,
        String env,
        String requestedView,
        String resultView) {
}
