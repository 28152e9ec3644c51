package com.gururmm.protocol.wire;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import java.time.Instant;
import java.util.UUID;

/** Messages the server sends to an agent. See {@link AgentMessage} for the delivery rules. */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
        @JsonSubTypes.Type(value = ServerMessage.Welcome.class, name = "welcome"),
        @JsonSubTypes.Type(value = ServerMessage.RunCommand.class, name = "run_command"),
        @JsonSubTypes.Type(value = ServerMessage.CancelCommand.class, name = "cancel_command"),
        @JsonSubTypes.Type(value = ServerMessage.ResultAck.class, name = "result_ack"),
        @JsonSubTypes.Type(value = ServerMessage.Refused.class, name = "refused"),
        @JsonSubTypes.Type(value = ServerMessage.UpdateOffer.class, name = "update_offer"),
        @JsonSubTypes.Type(value = ServerMessage.CollectInventory.class, name = "collect_inventory"),
        @JsonSubTypes.Type(value = ServerMessage.EventsAck.class, name = "events_ack"),
        @JsonSubTypes.Type(value = ServerMessage.TunnelOpen.class, name = "tunnel_open"),
        @JsonSubTypes.Type(value = ServerMessage.TunnelClose.class, name = "tunnel_close"),
        @JsonSubTypes.Type(value = ServerMessage.ChecksConfig.class, name = "checks_config"),
        @JsonSubTypes.Type(value = ServerMessage.CheckResultsAck.class, name = "check_results_ack"),
        @JsonSubTypes.Type(value = ServerMessage.MetricsAck.class, name = "metrics_ack"),
        @JsonSubTypes.Type(value = ServerMessage.FileUpload.class, name = "file_upload"),
        @JsonSubTypes.Type(value = ServerMessage.FileChunk.class, name = "file_chunk"),
        @JsonSubTypes.Type(value = ServerMessage.FileDownload.class, name = "file_download"),
        @JsonSubTypes.Type(value = ServerMessage.FileDataAck.class, name = "file_data_ack"),
        @JsonSubTypes.Type(value = ServerMessage.FileCancel.class, name = "file_cancel"),
})
public sealed interface ServerMessage {

    /** Answer to {@link AgentMessage.Hello}: the server's clock and the heartbeat cadence. */
    record Welcome(int protocolVersion, UUID agentId, Instant serverTime, int heartbeatSeconds)
            implements ServerMessage {
    }

    /**
     * Run a script. May be delivered more than once (after a reconnect); the agent runs a
     * given {@code commandId} at most once. {@code env} (optional, omitted when empty): extra
     * environment variables for the script's process, e.g. a saved script's parameters as
     * {@code GURURMM_PARAM_<NAME>}; values reach the process verbatim and are never part of the
     * script text (docs/PROTOCOL.md, "Script parameters"). {@code view} (optional, omitted for the
     * default): {@code sandbox} keeps the command inside the agent's own restricted mount namespace;
     * absent or {@code host}, a sandboxed Linux agent runs it in the host's view (SPEC section 7).
     */
    record RunCommand(
            UUID commandId,
            String commandType,
            String script,
            String context,
            int timeoutSeconds,
            @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_EMPTY)
            java.util.Map<String, String> env,
            @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL)
            String view) implements ServerMessage {
        public RunCommand {
            env = env == null ? java.util.Map.of() : java.util.Collections.unmodifiableMap(new java.util.TreeMap<>(env));
        }

        /** A command without extra environment variables. */
        public RunCommand(UUID commandId, String commandType, String script, String context, int timeoutSeconds) {
            this(commandId, commandType, script, context, timeoutSeconds, null, null);
        }

        /** A command in the default (host) view. */
        public RunCommand(UUID commandId, String commandType, String script, String context, int timeoutSeconds,
                          java.util.Map<String, String> env) {
            this(commandId, commandType, script, context, timeoutSeconds, env, null);
        }

        /** True if the command asked to stay inside the agent's sandbox. */
        public boolean wantsSandbox() {
            return com.gururmm.protocol.FileSystemView.SANDBOX.wireName().equals(view);
        }
    }

    /** Stop a running command; the agent kills its process tree and reports {@code cancelled}. */
    record CancelCommand(UUID commandId) implements ServerMessage {
    }

    /** The result for {@code commandId} is stored; the agent may drop it from its outbox. */
    record ResultAck(UUID commandId) implements ServerMessage {
    }

    /** The server could not accept a frame; nothing was changed. */
    record Refused(String error, String message) implements ServerMessage {
    }

    /**
     * A newer agent build this agent should run (SPEC section 6 rule plus staged rollout). The
     * agent downloads {@code downloadPath} with its own credential, and runs it only if the file's
     * SHA-256 is {@code sha256} and {@code signature} (Ed25519, see
     * {@code com.gururmm.protocol.release.ReleaseSignature}) verifies with the key it was installed with.
     */
    record UpdateOffer(String file, String version, String os, String arch, String sha256, String signature,
                       long size, String downloadPath) implements ServerMessage {
    }

    /**
     * Collect the full system inventory now and send it as {@link AgentMessage.SystemInventoryReport}
     * with this {@code requestId} ({@code POST /api/agents/{id}/inventory/refresh}).
     */
    record CollectInventory(UUID requestId) implements ServerMessage {
    }

    /** The events with these keys are stored (or were already): the agent need not send them again. */
    record EventsAck(java.util.List<String> eventKeys) implements ServerMessage {
    }

    /**
     * Open an interactive shell: the agent connects {@code /api/agent/tunnel/{sessionId}} with its
     * own credential, starts a login shell on a PTY of {@code cols}×{@code rows} in {@code context}
     * ({@code system} or {@code user_session}) and streams it (docs/PROTOCOL.md, "Tunnel"). It may
     * have at most {@code windowBytes} output bytes unacknowledged.
     */
    record TunnelOpen(UUID sessionId, String context, int cols, int rows, long windowBytes, int maxSeconds)
            implements ServerMessage {
    }

    /** End a tunnel session the agent may still hold (its socket may not have connected yet). */
    record TunnelClose(UUID sessionId, String reason) implements ServerMessage {
    }

    /**
     * The complete set of checks this agent runs itself (sent after the welcome and whenever it
     * changes); it replaces the previous set. Kinds: {@code service}, {@code process},
     * {@code tcp_port}, {@code http}, {@code reboot_required}, {@code pending_updates_older_than_days},
     * {@code script}; an agent skips a kind it does not know.
     */
    record ChecksConfig(java.util.List<AgentCheck> checks) implements ServerMessage {
        public ChecksConfig {
            checks = checks == null ? java.util.List.of() : java.util.List.copyOf(checks);
        }
    }

    /** One agent-side check; fields a kind does not use are null. */
    record AgentCheck(String key, String kind, int intervalSeconds, String service, String process, String host, Integer port,
                      String url, Integer timeoutSeconds, Integer expectedStatus, Integer days, String script, String scriptType) {
    }

    /** Every check result with {@code seq} up to this one is stored; the agent drops them from its check outbox. */
    record CheckResultsAck(long upToSeq) implements ServerMessage {
    }

    /**
     * The metrics batch {@code batchId} is handled: {@code stored} samples were new and are stored,
     * {@code duplicates} were stored before (a resend), {@code refused} were rejected for good
     * (absurd values or timestamps; {@code reason} says why, null if none). The agent drops the
     * batch either way: resending a refused sample would be refused again.
     */
    record MetricsAck(UUID batchId, int stored, int duplicates, int refused, String reason) implements ServerMessage {
    }

    // ---- file transfer (docs/PROTOCOL.md, "File transfer"); additive: an older agent ignores these ----

    /**
     * Start receiving a file for {@code path} (absolute): the agent writes it to a part file next
     * to the target ({@code .NAME.gururmm-part}, mode 0600) and answers {@link AgentMessage.FileReady}
     * with the part file's length. {@code offset} 0 starts over (an old part file is discarded); a
     * larger one continues the part file, which must be exactly that long ({@code offset_mismatch}
     * otherwise). {@code size} is the complete file's length when known (-1 if not); {@code sha256}
     * (lower-case hex, or null) is what the complete file must hash to.
     */
    record FileUpload(UUID transferId, String path, long offset, long size, String sha256) implements ServerMessage {
    }

    /**
     * File bytes for an upload, at {@code offset} of the file ({@code data}: base64, at most
     * {@link com.gururmm.protocol.files.FileTransfer#CHUNK_BYTES} decoded). The agent answers each
     * with {@link AgentMessage.FileChunkAck}; the server has at most
     * {@link com.gururmm.protocol.files.FileTransfer#WINDOW_CHUNKS} unacknowledged. {@code last}
     * ends the file: the agent checks size and SHA-256, renames the part file over the target and
     * answers {@link AgentMessage.FileDone}, or {@link AgentMessage.FileError} and deletes it.
     */
    record FileChunk(UUID transferId, long offset, String data, boolean last) implements ServerMessage {
    }

    /**
     * Send the file at {@code path} from byte {@code offset}: the agent answers
     * {@link AgentMessage.FileReady} (size and SHA-256 of the whole file), then
     * {@link AgentMessage.FileData} chunks, at most {@code windowChunks} of them ahead of the
     * server's {@link FileDataAck}, then {@link AgentMessage.FileDone}. {@code sha256} (or null):
     * the file must hash to it, else {@code checksum_mismatch} before any byte is sent.
     */
    record FileDownload(UUID transferId, String path, long offset, String sha256, int chunkBytes, int windowChunks)
            implements ServerMessage {
    }

    /** Download bytes up to {@code offset} have been passed on to the client: the agent may send more. */
    record FileDataAck(UUID transferId, long offset) implements ServerMessage {
    }

    /**
     * Stop a transfer now (the client went away, a limit was hit). {@code keepPartial}: an upload's part
     * file stays for a later resume; otherwise it is deleted.
     */
    record FileCancel(UUID transferId, String reason, boolean keepPartial) implements ServerMessage {
    }
}
