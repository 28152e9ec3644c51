package com.gururmm.protocol.wire;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import java.time.Instant;
import java.util.UUID;

/**
 * Messages an agent sends to the server over its WebSocket. Each is one JSON text frame
 * with a {@code type} discriminator. The server dispatches them with a pattern-matching
 * {@code switch}; adding a message type is a compile error everywhere it is not handled.
 *
 * <p>Delivery rules (see {@code docs/PROTOCOL.md}): a {@link CommandResult} is written to the
 * agent's durable outbox before it is sent and is resent on every reconnect until the
 * server answers with {@link ServerMessage.ResultAck}; the server stores results
 * idempotently by command id.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
        @JsonSubTypes.Type(value = AgentMessage.Hello.class, name = "hello"),
        @JsonSubTypes.Type(value = AgentMessage.Heartbeat.class, name = "heartbeat"),
        @JsonSubTypes.Type(value = AgentMessage.InventoryReport.class, name = "inventory"),
        @JsonSubTypes.Type(value = AgentMessage.CommandStarted.class, name = "command_started"),
        @JsonSubTypes.Type(value = AgentMessage.CommandResult.class, name = "command_result"),
        @JsonSubTypes.Type(value = AgentMessage.UpdateStatus.class, name = "update_status"),
        @JsonSubTypes.Type(value = AgentMessage.SystemInventoryReport.class, name = "system_inventory"),
        @JsonSubTypes.Type(value = AgentMessage.AgentEvents.class, name = "agent_events"),
        @JsonSubTypes.Type(value = AgentMessage.CheckResults.class, name = "check_results"),
        @JsonSubTypes.Type(value = AgentMessage.MetricsReport.class, name = "metrics_report"),
        @JsonSubTypes.Type(value = AgentMessage.CommandOutput.class, name = "command_output"),
        @JsonSubTypes.Type(value = AgentMessage.FileReady.class, name = "file_ready"),
        @JsonSubTypes.Type(value = AgentMessage.FileData.class, name = "file_data"),
        @JsonSubTypes.Type(value = AgentMessage.FileChunkAck.class, name = "file_chunk_ack"),
        @JsonSubTypes.Type(value = AgentMessage.FileDone.class, name = "file_done"),
        @JsonSubTypes.Type(value = AgentMessage.FileError.class, name = "file_error"),
})
public sealed interface AgentMessage {

    /** First frame after the WebSocket opens: who the agent is and what it runs on. */
    record Hello(int protocolVersion, Inventory inventory) implements AgentMessage {
    }

    /** Liveness; carries nothing the server must store at once (last_seen writes are batched). */
    record Heartbeat(Instant sentAt) implements AgentMessage {
    }

    /** Inventory changed since the last report (IP addresses, logged-on users, health). */
    record InventoryReport(Inventory inventory) implements AgentMessage {
    }

    /** The agent has durably recorded the command as started and launched its process. */
    record CommandStarted(UUID commandId, Instant startedAt) implements AgentMessage {
    }

    /**
     * Final outcome of a command. {@code status} is one of {@code completed}, {@code failed},
     * {@code timeout} or {@code cancelled}; {@code error} explains a failure in a sentence.
     * {@code view} ({@code host} or {@code sandbox}; absent from agents that predate it) is the
     * file-system view the process had (SPEC section 7); {@code sandboxNote} explains a sandbox view.
     */
    record CommandResult(
            UUID commandId,
            String status,
            Integer exitCode,
            String stdout,
            String stderr,
            boolean stdoutTruncated,
            boolean stderrTruncated,
            String error,
            Instant startedAt,
            Instant completedAt,
            String sandboxNote,
            @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL)
            String view) implements AgentMessage {

        public CommandResult(UUID commandId, String status, Integer exitCode, String stdout, String stderr,
                             boolean stdoutTruncated, boolean stderrTruncated, String error, Instant startedAt, Instant completedAt) {
            this(commandId, status, exitCode, stdout, stderr, stdoutTruncated, stderrTruncated, error, startedAt, completedAt, null, null);
        }

        public CommandResult(UUID commandId, String status, Integer exitCode, String stdout, String stderr,
                             boolean stdoutTruncated, boolean stderrTruncated, String error, Instant startedAt, Instant completedAt,
                             String sandboxNote) {
            this(commandId, status, exitCode, stdout, stderr, stdoutTruncated, stderrTruncated, error, startedAt, completedAt,
                    sandboxNote, null);
        }

        /** The same result, noting that it ran in a sandbox whose view of the system differs from the host's. */
        public CommandResult withSandboxNote(String note) {
            return new CommandResult(commandId, status, exitCode, stdout, stderr, stdoutTruncated, stderrTruncated, error,
                    startedAt, completedAt, note, view);
        }

        /** The same result, saying which file-system view ({@code host} or {@code sandbox}) the process had. */
        public CommandResult withView(String view) {
            return new CommandResult(commandId, status, exitCode, stdout, stderr, stdoutTruncated, stderrTruncated, error,
                    startedAt, completedAt, sandboxNote, view);
        }
    }

    /**
     * Progress or outcome of a self-update. {@code state} is {@code downloading}, {@code restarting},
     * {@code succeeded}, {@code failed} (refused or broken before the switch: bad hash, bad
     * signature, build does not start) or {@code rolled_back} (switched, the new version did not
     * come up, the previous one was restored); {@code reason} says why in a sentence.
     */
    record UpdateStatus(String state, String currentVersion, String targetVersion, String file, String reason,
                        Instant at) implements AgentMessage {
    }

    /**
     * The full system inventory (hardware, software, services, updates): daily, on connect when
     * the last one is older than the interval, and when the server sends
     * {@link ServerMessage.CollectInventory}. {@code requestId} echoes that request (null when the
     * agent sent it on its own schedule).
     */
    record SystemInventoryReport(UUID requestId, SystemInventory inventory) implements AgentMessage {
    }

    /**
     * Events found on the machine (e.g. bugchecks from the Windows System log), at most
     * {@link #MAX_EVENTS} per frame. The agent keeps them until the server answers with
     * {@link ServerMessage.EventsAck} naming their keys, and sends them again on reconnect.
     */
    record AgentEvents(java.util.List<AgentEvent> events) implements AgentMessage {
        public static final int MAX_EVENTS = 50;
    }

    /**
     * Results of agent-side checks (those in the server's {@link ServerMessage.ChecksConfig}), oldest
     * first. The agent keeps each result in its check outbox until a
     * {@link ServerMessage.CheckResultsAck} covering its {@code seq} arrives, and resends the rest
     * after a reconnect, so a critical result is not lost with a connection.
     */
    record CheckResults(java.util.List<CheckResult> results) implements AgentMessage {
        public CheckResults {
            results = results == null ? java.util.List.of() : java.util.List.copyOf(results);
        }
    }

    /**
     * One run of one check. {@code status} is {@code ok}, {@code warning} or {@code critical};
     * {@code seq} increases with every result this agent produces (the ack names the highest stored).
     */
    record CheckResult(long seq, String key, String status, String output, Instant at) {
    }

    /**
     * A batch of metrics samples, oldest first. The agent keeps each sample in its state dir until
     * a {@link ServerMessage.MetricsAck} with this {@code batchId} arrives, and resends unacknowledged
     * batches after a reconnect; the server stores a sample at most once per (agent, {@code at} second),
     * so a resent batch changes nothing. At most {@link MetricSample#MAX_PER_BATCH} samples.
     */
    record MetricsReport(UUID batchId, java.util.List<MetricSample> samples) implements AgentMessage {
    }

    /**
     * Output of a running command as it is produced: a live view, best effort, never the record.
     * The record stays the {@link CommandResult}, which is sent durably as before; a server that
     * does not know this type ignores it (an older server), and a server talking to an older
     * agent simply gets none.
     *
     * <p>{@code seq} starts at 1 and increases with every message for the command (stdout and
     * stderr share it, so their interleaving is kept at batch granularity); a message lost while
     * the link was down is not resent, so seq may have gaps and the server stores a seq only when
     * it is above every seq it already holds. {@code stream} is {@code stdout} or {@code stderr};
     * {@code offset} is the number of UTF-16 code units of that stream's text sent before this
     * chunk (so a reader can tell a gap from a continuation); {@code data} is text decoded from
     * the process's bytes exactly as the final result's is (invalid UTF-8 replaced, U+0000 kept),
     * and never splits a character. {@code stopped} is set on the last message the agent sends for
     * the command when streaming ends before the process does: {@code cap} (the per-command
     * streaming limit was reached) or {@code backlog} (the link was too slow and the agent gave
     * up rather than buffer); the result still carries the output up to its own limits.
     */
    record CommandOutput(UUID commandId, long seq, String stream, long offset, String data, Instant at, String stopped)
            implements AgentMessage {
        /** The most text the agent puts in one message (a batch is split above it). */
        public static final int MAX_DATA_CHARS = 16 * 1024;
        public static final String STDOUT = "stdout";
        public static final String STDERR = "stderr";
        public static final String STOPPED_CAP = "cap";
        public static final String STOPPED_BACKLOG = "backlog";
    }

    // ---- file transfer (docs/PROTOCOL.md, "File transfer") ----

    /**
     * The agent accepted a {@link ServerMessage.FileUpload} or {@link ServerMessage.FileDownload}.
     * Upload: {@code offset} is the part file's length (where the bytes continue), {@code size} and
     * {@code sha256} are -1 and null. Download: {@code size} and {@code sha256} describe the whole
     * file, {@code offset} is where the data starts. {@code path} is the resolved path.
     */
    record FileReady(UUID transferId, String path, long offset, long size, String sha256) implements AgentMessage {
    }

    /** Download bytes at {@code offset} of the file ({@code data}: base64). */
    record FileData(UUID transferId, long offset, String data) implements AgentMessage {
    }

    /** Upload bytes up to {@code offset} are written to the part file. */
    record FileChunkAck(UUID transferId, long offset) implements AgentMessage {
    }

    /** The transfer is complete: upload renamed into place, or download sent whole; size and SHA-256 of the file. */
    record FileDone(UUID transferId, String path, long size, String sha256) implements AgentMessage {
    }

    /**
     * The transfer failed and is over on the agent. {@code error}: {@code path_refused},
     * {@code not_found}, {@code not_a_file}, {@code offset_mismatch}, {@code checksum_mismatch},
     * {@code changed} (the file changed while it was read), {@code busy}, {@code io_error};
     * {@code message} says it in a sentence; {@code offset} is the part file's length for
     * {@code offset_mismatch} (else -1).
     */
    record FileError(UUID transferId, String error, String message, long offset) implements AgentMessage {
    }
}
