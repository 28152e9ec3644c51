package com.gururmm.server.files;

import com.gururmm.protocol.api.AgentFiles;
import com.gururmm.protocol.files.FileTransfer;
import com.gururmm.protocol.wire.AgentMessage;
import com.gururmm.protocol.wire.ServerMessage;
import com.gururmm.server.agent.AgentRow;
import com.gururmm.server.agent.AgentService;
import com.gururmm.server.agent.ConnectionRegistry;
import com.gururmm.server.audit.AuditLog;
import com.gururmm.server.auth.Principal;
import com.gururmm.server.cluster.OnOtherNode;
import com.gururmm.server.http.ApiException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Base64;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * File transfer between an HTTP client and an agent, through the agent's own WebSocket
 * (docs/PROTOCOL.md, "File transfer"). Nothing is staged on the server: bytes stream straight
 * through, in chunks of {@link FileTransfer#CHUNK_BYTES}, with at most
 * {@link FileTransfer#WINDOW_CHUNKS} unacknowledged in either direction, so a transfer holds
 * about 1.5 MiB of server memory whatever the file's size, and a slow side slows the other
 * instead of filling a buffer.
 *
 * <p>Upload: the request body is read chunk by chunk; each chunk waits for a window slot (freed
 * by the agent's {@code file_chunk_ack}); the last one carries {@code last}, and the response is
 * sent once the agent reports the file renamed into place with the expected SHA-256. Download:
 * the agent's {@code file_ready} gives the size and SHA-256 (sent as headers before any byte),
 * its {@code file_data} frames go into a bounded queue the request thread drains into the
 * response, acknowledging each once written.
 *
 * <p>The agent must be connected to this node: in a cluster, a transfer asked of another node is
 * passed on here before a byte of it is read ({@link OnOtherNode}). A client that goes away
 * mid-upload leaves the agent's part file for a resume ({@code offset}); every finished, refused
 * or interrupted transfer is audited with who, which agent, path, size, SHA-256 and direction.
 */
public final class FileTransferService {
    private static final Logger log = LoggerFactory.getLogger(FileTransferService.class);

    private final FileSettings settings;
    private final AgentService agents;
    private final ConnectionRegistry registry;
    private final AuditLog audit;
    private final Map<UUID, Transfer> transfers = new ConcurrentHashMap<>();

    public FileTransferService(FileSettings settings, AgentService agents, ConnectionRegistry registry, AuditLog audit) {
        this.settings = settings;
        this.agents = agents;
        this.registry = registry;
        this.audit = audit;
    }

    public FileSettings settings() {
        return settings;
    }

    /** One transfer's state, shared between the request thread and the agent's frames. */
    private static final class Transfer {
        final UUID id = UUID.randomUUID();
        final UUID agentId;
        final CompletableFuture<AgentMessage.FileReady> ready = new CompletableFuture<>();
        final CompletableFuture<AgentMessage.FileDone> done = new CompletableFuture<>();
        final Semaphore window = new Semaphore(FileTransfer.WINDOW_CHUNKS);
        /** Download frames (data, done, error) in order; bounded: an agent that ignores the window fails the transfer. */
        final BlockingQueue<AgentMessage> incoming = new ArrayBlockingQueue<>(FileTransfer.WINDOW_CHUNKS * 2 + 4);
        volatile AgentMessage.FileError error;

        Transfer(UUID agentId) {
            this.agentId = agentId;
        }

        void fail(AgentMessage.FileError e) {
            if (error == null) {
                error = e;
            }
            ready.completeExceptionally(new AgentRefused(e));
            done.completeExceptionally(new AgentRefused(e));
            window.release(FileTransfer.WINDOW_CHUNKS * 4); // wake a waiting sender
        }
    }

    private static final class AgentRefused extends RuntimeException {
        final AgentMessage.FileError error;

        AgentRefused(AgentMessage.FileError error) {
            super(error.message(), null, false, false);
            this.error = error;
        }
    }

    /** A 409 naming where an interrupted upload continues ({@link AgentFiles#OFFSET_HEADER}). */
    public static final class OffsetMismatch extends ApiException {
        private final long offset;

        OffsetMismatch(String message, long offset) {
            super(409, "offset_mismatch", message);
            this.offset = offset;
        }

        public long offset() {
            return offset;
        }
    }

    // ---- agent frames -------------------------------------------------------------------------

    /** The gateway's hook for {@code file_*} frames from {@code agentId}; frames for another agent's transfer are dropped. */
    public void onAgentMessage(UUID agentId, AgentMessage message) {
        UUID id = switch (message) {
            case AgentMessage.FileReady m -> m.transferId();
            case AgentMessage.FileData m -> m.transferId();
            case AgentMessage.FileChunkAck m -> m.transferId();
            case AgentMessage.FileDone m -> m.transferId();
            case AgentMessage.FileError m -> m.transferId();
            default -> null;
        };
        Transfer transfer = id == null ? null : transfers.get(id);
        if (transfer == null || !transfer.agentId.equals(agentId)) {
            log.debug("ignored {} for unknown file transfer {} from agent {}", message.getClass().getSimpleName(), id, agentId);
            return;
        }
        switch (message) {
            case AgentMessage.FileReady m -> transfer.ready.complete(m);
            case AgentMessage.FileChunkAck ignored -> transfer.window.release();
            case AgentMessage.FileError m -> {
                transfer.fail(m);
                transfer.incoming.offer(m);
            }
            case AgentMessage.FileDone m -> {
                transfer.done.complete(m);
                transfer.incoming.offer(m);
            }
            case AgentMessage.FileData m -> {
                if (!transfer.incoming.offer(m)) {
                    transfer.fail(new AgentMessage.FileError(id, "io_error", "the agent sent more than its window allows", -1));
                }
            }
            default -> {
            }
        }
    }

    // ---- upload -------------------------------------------------------------------------------

    /**
     * Streams {@code body} to {@code path} on the agent.
     *
     * @param contentLength the body's length, or -1 if the client did not say
     */
    public AgentFiles.Uploaded upload(Principal actor, UUID agentId, String path, long offset, String sha256, long contentLength,
                                      InputStream body) {
        checkPath(path);
        String expected = checkSha(sha256);
        if (offset < 0) {
            throw ApiException.badRequest("offset must be 0 or more (the number of bytes the agent already holds); got " + offset + ".");
        }
        if (contentLength >= 0 && offset + contentLength > settings.maxBytes()) {
            throw tooLarge(offset + contentLength);
        }
        AgentRow agent = requireOnline(agentId);
        Transfer transfer = begin(agentId);
        String where = "agent=" + agentId + " hostname=" + agent.hostname() + " path=" + path;
        long sent = offset;
        try {
            long size = contentLength >= 0 ? offset + contentLength : -1;
            sendOrOffline(transfer, agent, new ServerMessage.FileUpload(transfer.id, path, offset, size, expected));
            AgentMessage.FileReady ready = await(transfer.ready, agent, "start the upload");
            byte[] pending = read(body, actor, transfer, where, sent);
            while (true) {
                if (sent + pending.length > settings.maxBytes()) {
                    registry.send(agentId, new ServerMessage.FileCancel(transfer.id, "over the size limit", false));
                    audit.record(actor.name(), "file.upload_refused", agentId.toString(), where + " reason=too_large");
                    throw tooLarge(sent + pending.length);
                }
                if (pending.length < FileTransfer.CHUNK_BYTES) { // readNBytes is short only at the end of the body
                    sendChunk(transfer, agent, sent, pending, true);
                    sent += pending.length;
                    break;
                }
                byte[] next = read(body, actor, transfer, where, sent);
                boolean last = next.length == 0;
                sendChunk(transfer, agent, sent, pending, last);
                sent += pending.length;
                if (last) {
                    break;
                }
                pending = next;
            }
            AgentMessage.FileDone done = await(transfer.done, agent, "finish the upload");
            audit.record(actor.name(), "file.upload", agentId.toString(), "agent=" + agentId + " hostname=" + agent.hostname()
                    + " path=" + done.path() + " size=" + done.size() + " sha256=" + done.sha256() + " offset=" + offset
                    + " direction=to_agent");
            log.info("{} uploaded {} ({} bytes) to agent {}", actor.name(), done.path(), done.size(), agentId);
            return new AgentFiles.Uploaded(agentId, done.path(), done.size(), done.sha256(), offset);
        } catch (AgentRefused e) {
            audit.record(actor.name(), "file.upload_refused", agentId.toString(), where + " reason=" + e.error.error());
            throw fromAgent(e.error, agent);
        } finally {
            transfers.remove(transfer.id);
        }
    }

    /** The next chunk of the body; a client that went away cancels the transfer, keeping the agent's part file. */
    private byte[] read(InputStream body, Principal actor, Transfer transfer, String where, long received) {
        try {
            return body.readNBytes(FileTransfer.CHUNK_BYTES);
        } catch (IOException | RuntimeException e) {
            registry.send(transfer.agentId, new ServerMessage.FileCancel(transfer.id, "the client's upload was interrupted", true));
            audit.record(actor.name(), "file.upload_interrupted", transfer.agentId.toString(), where + " received_bytes=" + received
                    + " (the part file stays on the agent; resume with offset=" + received + ")");
            throw ApiException.badRequest("The upload was interrupted after " + received + " bytes (" + e.getMessage()
                    + "); resume it with offset=" + received + ".");
        }
    }

    private void sendChunk(Transfer transfer, AgentRow agent, long offset, byte[] data, boolean last) {
        long deadline = System.nanoTime() + settings.agentTimeout().toNanos();
        try {
            while (!transfer.window.tryAcquire(1, TimeUnit.SECONDS)) {
                checkAlive(transfer, agent, deadline, "acknowledge the file's bytes");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw ApiException.unavailable("interrupted while sending the file to the agent");
        }
        if (transfer.error != null) {
            throw new AgentRefused(transfer.error);
        }
        sendOrOffline(transfer, agent, new ServerMessage.FileChunk(transfer.id, offset, Base64.getEncoder().encodeToString(data), last));
    }

    // ---- download -----------------------------------------------------------------------------

    /** What the route needs before the first byte: the file's size and hash, and where the body starts. */
    public interface DownloadTarget {
        /** Called once, before any byte, with the whole file's size and SHA-256 and the offset the body starts at. */
        OutputStream start(String path, long size, String sha256, long offset) throws IOException;
    }

    /** Streams {@code path} from the agent, from {@code offset}, into what {@code target} opens. */
    public void download(Principal actor, UUID agentId, String path, long offset, String sha256, DownloadTarget target) {
        checkPath(path);
        String expected = checkSha(sha256);
        if (offset < 0) {
            throw ApiException.badRequest("offset must be 0 or more; got " + offset + ".");
        }
        AgentRow agent = requireOnline(agentId);
        Transfer transfer = begin(agentId);
        String where = "agent=" + agentId + " hostname=" + agent.hostname() + " path=" + path;
        try {
            sendOrOffline(transfer, agent, new ServerMessage.FileDownload(transfer.id, path, offset, expected, FileTransfer.CHUNK_BYTES,
                    FileTransfer.WINDOW_CHUNKS));
            AgentMessage.FileReady ready = await(transfer.ready, agent, "start the download");
            if (ready.size() > settings.maxBytes()) {
                registry.send(agentId, new ServerMessage.FileCancel(transfer.id, "over the size limit", false));
                audit.record(actor.name(), "file.download_refused", agentId.toString(), where + " size=" + ready.size() + " reason=too_large");
                throw tooLarge(ready.size());
            }
            OutputStream out;
            long written = ready.offset();
            boolean started = false;
            try {
                out = target.start(ready.path(), ready.size(), ready.sha256(), ready.offset());
                started = true;
                while (true) {
                    AgentMessage next = take(transfer, agent);
                    if (next instanceof AgentMessage.FileData data) {
                        if (data.offset() != written) {
                            throw new AgentRefused(new AgentMessage.FileError(transfer.id, "io_error", "the agent sent bytes at " + data.offset()
                                    + " after " + written, -1));
                        }
                        byte[] bytes = Base64.getDecoder().decode(data.data());
                        out.write(bytes);
                        written += bytes.length;
                        registry.send(agentId, new ServerMessage.FileDataAck(transfer.id, written));
                    } else if (next instanceof AgentMessage.FileDone) {
                        out.flush();
                        break;
                    } else if (next instanceof AgentMessage.FileError error) {
                        throw new AgentRefused(error);
                    }
                }
            } catch (RuntimeException e) {
                if (!started) {
                    throw e;
                }
                // Headers are out: the only way to tell the client is a body short of its Content-Length.
                registry.send(agentId, new ServerMessage.FileCancel(transfer.id, "the download failed", false));
                audit.record(actor.name(), "file.download_interrupted", agentId.toString(), where + " size=" + ready.size() + " sha256="
                        + ready.sha256() + " sent_bytes=" + written + " reason=" + (e instanceof AgentRefused r ? r.error.error()
                        : e instanceof ApiException api ? api.code() : e.getClass().getSimpleName()));
                throw new DownloadAborted("the download failed after " + written + " bytes: " + e.getMessage());
            } catch (IOException e) {
                registry.send(agentId, new ServerMessage.FileCancel(transfer.id, "the client went away", false));
                audit.record(actor.name(), "file.download_interrupted", agentId.toString(), where + " size=" + ready.size() + " sha256="
                        + ready.sha256() + " sent_bytes=" + written + " (resume with offset=" + written + ")");
                throw new DownloadAborted("the client went away after " + written + " bytes: " + e.getMessage());
            }
            audit.record(actor.name(), "file.download", agentId.toString(), "agent=" + agentId + " hostname=" + agent.hostname()
                    + " path=" + ready.path() + " size=" + ready.size() + " sha256=" + ready.sha256() + " offset=" + ready.offset()
                    + " direction=from_agent");
            log.info("{} downloaded {} ({} bytes) from agent {}", actor.name(), ready.path(), ready.size(), agentId);
        } catch (AgentRefused e) {
            audit.record(actor.name(), "file.download_refused", agentId.toString(), where + " reason=" + e.error.error());
            throw fromAgent(e.error, agent);
        } finally {
            transfers.remove(transfer.id);
        }
    }

    /** The response was already under way when the transfer failed: the route can only cut the connection. */
    public static final class DownloadAborted extends RuntimeException {
        DownloadAborted(String message) {
            super(message);
        }
    }

    private AgentMessage take(Transfer transfer, AgentRow agent) {
        long deadline = System.nanoTime() + settings.agentTimeout().toNanos();
        try {
            while (true) {
                AgentMessage next = transfer.incoming.poll(1, TimeUnit.SECONDS);
                if (next != null) {
                    return next;
                }
                checkAlive(transfer, agent, deadline, "send the file's bytes");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw ApiException.unavailable("interrupted while receiving the file from the agent");
        }
    }

    // ---- common -------------------------------------------------------------------------------

    private Transfer begin(UUID agentId) {
        Transfer transfer = new Transfer(agentId);
        transfers.put(transfer.id, transfer);
        return transfer;
    }

    private AgentRow requireOnline(UUID agentId) {
        AgentRow agent = agents.requireActive(agentId);
        if (!registry.isOnline(agentId)) {
            registry.otherNodeHolding(agentId).ifPresent(other -> {
                throw new OnOtherNode(other, "agent_on_other_node", "Agent " + agent.hostname() + " is connected to node " + other
                        + " of the cluster, not this one: a file transfer runs through the node holding the agent's connection, and"
                        + " this request was already passed on once. Send it to " + other + " (docs/OPERATIONS.md, \"Cluster\").")
                        .bodyUnread();
            });
            throw new ApiException(409, "agent_offline", "Agent " + agentId + " (" + agent.hostname()
                    + ") is offline: file transfer needs the agent connected to this server. Try again once it is online.");
        }
        return agent;
    }

    private void sendOrOffline(Transfer transfer, AgentRow agent, ServerMessage message) {
        if (!registry.send(agent.id(), message)) {
            throw new ApiException(409, "agent_offline", "Agent " + agent.hostname() + " went offline during the file transfer "
                    + transfer.id + "; try again once it is online (an upload continues from the offset its part file reached).");
        }
    }

    private void checkAlive(Transfer transfer, AgentRow agent, long deadline, String what) {
        if (transfer.error != null) {
            throw new AgentRefused(transfer.error);
        }
        if (!registry.isOnline(agent.id())) {
            throw new ApiException(409, "agent_offline", "Agent " + agent.hostname() + " went offline during the file transfer; "
                    + "try again once it is online.");
        }
        if (System.nanoTime() > deadline) {
            registry.send(agent.id(), new ServerMessage.FileCancel(transfer.id, "timed out", true));
            throw ApiException.unavailable("Agent " + agent.hostname() + " did not " + what + " within " + settings.agentTimeout().toSeconds()
                    + " s (GURURMM_FILES_AGENT_TIMEOUT_SECONDS); the transfer was given up.");
        }
    }

    private <T> T await(CompletableFuture<T> future, AgentRow agent, String what) {
        long deadline = System.nanoTime() + settings.agentTimeout().toNanos();
        while (true) {
            try {
                return future.get(1, TimeUnit.SECONDS);
            } catch (TimeoutException e) {
                if (!registry.isOnline(agent.id())) {
                    throw new ApiException(409, "agent_offline", "Agent " + agent.hostname() + " went offline during the file transfer; "
                            + "try again once it is online.");
                }
                if (System.nanoTime() > deadline) {
                    throw ApiException.unavailable("Agent " + agent.hostname() + " did not " + what + " within "
                            + settings.agentTimeout().toSeconds() + " s (an agent older than file transfer ignores the request); "
                            + "nothing was transferred.");
                }
            } catch (ExecutionException e) {
                if (e.getCause() instanceof AgentRefused refused) {
                    throw refused;
                }
                throw ApiException.unavailable("the file transfer failed: " + e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw ApiException.unavailable("interrupted while waiting for the agent");
            }
        }
    }

    private static void checkPath(String path) {
        String problem = FileTransfer.pathProblem(path);
        if (problem != null) {
            throw new ApiException(400, "invalid_path", problem.substring(0, 1).toUpperCase(Locale.ROOT) + problem.substring(1) + ".");
        }
    }

    private static String checkSha(String sha256) {
        if (sha256 == null || sha256.isBlank()) {
            return null;
        }
        String problem = FileTransfer.sha256Problem(sha256.trim());
        if (problem != null) {
            throw ApiException.badRequest(problem.substring(0, 1).toUpperCase(Locale.ROOT) + problem.substring(1) + ".");
        }
        return sha256.trim().toLowerCase(Locale.ROOT);
    }

    private ApiException tooLarge(long bytes) {
        return new ApiException(413, "too_large", "The file is " + bytes + " bytes (or more); this server transfers at most "
                + settings.maxBytes() + " bytes (GURURMM_FILES_MAX_MB=" + settings.maxBytes() / 1024 / 1024 + ").");
    }

    private static ApiException fromAgent(AgentMessage.FileError error, AgentRow agent) {
        String message = "Agent " + agent.hostname() + ": " + error.message() + ".";
        return switch (error.error() == null ? "" : error.error()) {
            case "path_refused" -> new ApiException(403, "path_refused", message);
            case "not_found" -> new ApiException(404, "file_not_found", message);
            case "not_a_file" -> new ApiException(400, "not_a_file", message);
            case "offset_mismatch" -> new OffsetMismatch(message, Math.max(0, error.offset()));
            case "checksum_mismatch" -> new ApiException(422, "checksum_mismatch", message);
            case "busy" -> new ApiException(409, "busy", message);
            case "changed" -> new ApiException(409, "file_changed", message);
            default -> new ApiException(502, "agent_io_error", message);
        };
    }
}
