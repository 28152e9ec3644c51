package com.gururmm.protocol.api;

import java.time.Instant;
import java.util.UUID;

/** Bodies of the command routes. */
public final class Commands {
    private Commands() {
    }

    /**
     * {@code POST /api/agents/{id}/command}. {@code context} defaults to {@code system};
     * {@code view} to {@code host} ({@code sandbox}: keep the command inside a Linux agent's
     * restricted mount namespace, SPEC section 7).
     */
    public record CommandRequest(String commandType, String command, String context, Integer timeoutSeconds, String view) {
        public CommandRequest(String commandType, String command, String context, Integer timeoutSeconds) {
            this(commandType, command, context, timeoutSeconds, null);
        }
    }

    public record CommandSubmitted(UUID commandId, String status) {
    }

    /**
     * {@code GET /api/commands/{id}}; times are ISO-8601 and null until they happen.
     * {@code agent_sandbox} is set when the agent ran the command inside a restricted mount
     * namespace (SPEC section 7), so "Read-only file system" is not mistaken for a read-only host.
     * {@code holdReason} says why a {@code held} command waits for an admin (null otherwise).
     * {@code view} is the file-system view the process had, {@code host} or {@code sandbox}
     * (null until the result arrives, and from agents that predate it).
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
            String holdReason,
            String view) {
    }

    /**
     * One piece of a command's live output ({@code GET /api/commands/{id}/output}): see
     * {@code AgentMessage.CommandOutput} for {@code seq}, {@code offset} and {@code stopped}.
     * {@code data} is the original text (U+0000 included).
     */
    public record OutputChunk(long seq, String stream, long offset, String data, Instant at, String stopped) {
    }

    /**
     * {@code GET /api/commands/{id}/output?after_seq=N}: the stored chunks after seq N, oldest
     * first. {@code nextSeq} is the {@code after_seq} to ask with next (the last chunk's seq, or N
     * when there is none). {@code complete}: the command has reached a final state, so no chunk
     * will follow these; its status and exit code are then final too. {@code more}: the answer
     * was cut at its size limit; ask again at once with {@code after_seq=next_seq}.
     */
    public record CommandOutputView(UUID commandId, String status, Integer exitCode, boolean complete, boolean more,
                                    java.util.List<OutputChunk> chunks, long nextSeq) {
    }
}
