package com.gururmm.server.tunnel;

import com.gururmm.protocol.tunnel.TunnelControl;
import com.gururmm.server.auth.Principal;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * One live shell: the agent's leg, at most one client leg, and the replay buffer between them.
 *
 * <p>Algorithm. Output bytes are numbered by offset ({@code outputSeq} = bytes received from the
 * agent so far). The replay buffer holds exactly the bytes from {@code ackedSeq} (the client's
 * last acknowledgement) to {@code outputSeq}, as the chunks the agent sent. The agent may not
 * run more than {@code window} bytes ahead of {@code ackedSeq} (it waits for the {@code ack} the
 * server forwards), so the buffer, and the bytes Jetty has queued for the client (the same
 * chunks), never exceed the window: a fast producer stalls at the PTY. A client that drops and
 * reattaches says how far it got ({@code attach.last_seq}); everything after that is still in the
 * buffer and is replayed. An agent that overruns the window is cut off.
 *
 * <p>Threads: one lock guards the state; every send happens under it (sends are asynchronous),
 * so frames reach the client in the order the state changed. Only input to the agent is sent
 * outside it, waiting for the write, which is how a client pasting faster than the PTY reads is slowed.
 */
final class TunnelSession {
    enum State { STARTING, OPEN, ENDED }

    /** Forwarding every tiny ack to the agent is waste; forward at this step, or when the buffer empties. */
    private static final long ACK_FORWARD_STEP = 16 * 1024;

    final UUID id;
    final UUID agentId;
    final Principal creator;
    final String hostname;
    final String context;
    final Instant createdAt;
    final long window;
    final CompletableFuture<TunnelControl.Ready> ready = new CompletableFuture<>();
    private final Recording recording;
    private final Consumer<TunnelSession> onEnd;

    private final Object lock = new Object();
    private final ArrayDeque<byte[]> chunks = new ArrayDeque<>();
    /** Offset of the first byte of {@code chunks.peekFirst()}. */
    private long bufferStart;
    private long bufferedBytes;
    private long outputSeq;
    private long ackedSeq;
    private long forwardedAck;
    private long inputSeq;
    private int cols;
    private int rows;
    private State state = State.STARTING;
    private SocketEnd agent;
    private SocketEnd client;
    private long lastActivityNanos = System.nanoTime();
    private long detachedSinceNanos = System.nanoTime();
    private Integer exitCode;
    private String endReason;
    private Instant endedAt;
    /** The end is written ({@link #end}); until then a client attaching to the ended session waits for its exit frame. */
    private boolean recorded;
    private String tty;

    TunnelSession(UUID id, UUID agentId, Principal creator, String hostname, String context, int cols, int rows, long window,
                  Instant createdAt, Recording recording, Consumer<TunnelSession> onEnd) {
        this.id = id;
        this.agentId = agentId;
        this.creator = creator;
        this.hostname = hostname;
        this.context = context;
        this.cols = cols;
        this.rows = rows;
        this.window = window;
        this.createdAt = createdAt;
        this.recording = recording;
        this.onEnd = onEnd;
    }

    // ---- agent leg ------------------------------------------------------------------------

    /** The agent's socket connected; false if the session is not waiting for one (then it is closed). */
    boolean agentConnected(SocketEnd end) {
        synchronized (lock) {
            if (state != State.STARTING || agent != null) {
                return false;
            }
            agent = end;
            return true;
        }
    }

    void agentReady(TunnelControl.Ready message) {
        synchronized (lock) {
            if (state != State.STARTING) {
                return;
            }
            state = State.OPEN;
            tty = message.tty();
            touch();
        }
        ready.complete(message);
    }

    /** Output from the agent. Returns a problem sentence if the agent broke the protocol (it is then cut off). */
    String agentOutput(byte[] data) {
        synchronized (lock) {
            if (state != State.OPEN) {
                return state == State.ENDED ? null : "output before ready";
            }
            if (outputSeq + data.length - ackedSeq > window) {
                return "the agent sent more than its flow-control window of " + window + " unacknowledged bytes";
            }
            chunks.addLast(data);
            bufferedBytes += data.length;
            outputSeq += data.length;
            touch();
            if (client != null) {
                client.send(ByteBuffer.wrap(data).asReadOnlyBuffer());
            }
        }
        if (recording != null) {
            recording.output(data);
        }
        return null;
    }

    // ---- client leg -----------------------------------------------------------------------

    /**
     * A client (re)attaches having received {@code lastSeq} output bytes; it replaces any attached one.
     * Returns an error sentence instead when {@code lastSeq} is impossible.
     */
    String attach(SocketEnd end, long lastSeq) {
        synchronized (lock) {
            if (lastSeq < 0 || lastSeq > outputSeq) {
                return "attach.last_seq " + lastSeq + " is outside 0.." + outputSeq + " (the output produced so far).";
            }
            if (client != null && client != end) {
                client.close(SocketEnd.REPLACED, "replaced by a newer connection to the same session");
            }
            client = end;
            acknowledge(lastSeq);
            long from = Math.max(lastSeq, bufferStart);
            end.send(new TunnelControl.Attached(id.toString(), from, outputSeq, inputSeq, cols, rows));
            long offset = bufferStart;
            for (byte[] chunk : chunks) {
                long chunkEnd = offset + chunk.length;
                if (chunkEnd > from) {
                    int skip = (int) Math.max(0, from - offset);
                    end.send(ByteBuffer.wrap(chunk, skip, chunk.length - skip).slice().asReadOnlyBuffer());
                }
                offset = chunkEnd;
            }
            if (state == State.ENDED && recorded) {
                end.send(new TunnelControl.Exit(exitCode, endReason));
                end.close(SocketEnd.ENDED, "session ended");
            }
            return null;
        }
    }

    void clientClosed(SocketEnd end) {
        synchronized (lock) {
            if (client == end) {
                client = null;
                detachedSinceNanos = System.nanoTime();
            }
        }
    }

    boolean isCurrentClient(SocketEnd end) {
        synchronized (lock) {
            return client == end;
        }
    }

    /** Returns an error sentence when {@code seq} is not a valid acknowledgement. */
    String ack(long seq) {
        synchronized (lock) {
            if (seq > outputSeq || seq < 0) {
                return "ack.seq " + seq + " is beyond the " + outputSeq + " output bytes sent so far.";
            }
            acknowledge(seq);
            return null;
        }
    }

    private void acknowledge(long seq) {
        if (seq <= ackedSeq) {
            return;
        }
        ackedSeq = seq;
        while (!chunks.isEmpty() && bufferStart + chunks.peekFirst().length <= ackedSeq) {
            byte[] gone = chunks.removeFirst();
            bufferStart += gone.length;
            bufferedBytes -= gone.length;
        }
        if (agent != null && (ackedSeq - forwardedAck >= ACK_FORWARD_STEP || ackedSeq == outputSeq)) {
            forwardedAck = ackedSeq;
            agent.send(new TunnelControl.Ack(ackedSeq));
        }
    }

    /** Input bytes for the agent; the returned future completes when they are written (back-pressure). */
    CompletableFuture<Void> input(byte[] data) {
        SocketEnd to;
        synchronized (lock) {
            if (state != State.OPEN || agent == null) {
                return CompletableFuture.failedFuture(new IllegalStateException("session is not open"));
            }
            inputSeq += data.length;
            touch();
            to = agent;
        }
        return to.sendAndWait(ByteBuffer.wrap(data));
    }

    void resize(int newCols, int newRows) {
        synchronized (lock) {
            if (state != State.OPEN) {
                return;
            }
            cols = newCols;
            rows = newRows;
            agent.send(new TunnelControl.Resize(newCols, newRows));
        }
        if (recording != null) {
            recording.resize(newCols, newRows);
        }
    }

    // ---- end ----------------------------------------------------------------------------

    /**
     * Ends the session once (later calls do nothing): the end is recorded first ({@code onEnd}
     * writes the session's row, the recording is closed), and only then are both legs told and
     * closed and a waiting opener refused. So a client that has seen {@code exit} finds the
     * session ended in the API, with its whole recording.
     */
    void end(Integer code, String reason) {
        synchronized (lock) {
            if (state == State.ENDED) {
                return;
            }
            state = State.ENDED;
            exitCode = code;
            endReason = reason;
            endedAt = Instant.now();
        }
        try {
            if (recording != null) {
                recording.close();
            }
            onEnd.accept(this);
        } finally {
            synchronized (lock) {
                recorded = true;
                if (agent != null) {
                    agent.send(new TunnelControl.Close(reason));
                    agent.close(SocketEnd.ENDED, "session ended");
                }
                if (client != null) {
                    client.send(new TunnelControl.Exit(code, reason));
                    client.close(SocketEnd.ENDED, "session ended");
                }
            }
            ready.completeExceptionally(new IllegalStateException(reason));
        }
    }

    private void touch() {
        lastActivityNanos = System.nanoTime();
    }

    // ---- reads for the sweeper and the API ------------------------------------------------

    State state() {
        synchronized (lock) {
            return state;
        }
    }

    long idleNanos() {
        synchronized (lock) {
            return System.nanoTime() - lastActivityNanos;
        }
    }

    /** How long no client has been attached; 0 while one is. */
    long detachedNanos() {
        synchronized (lock) {
            return client != null ? 0 : System.nanoTime() - detachedSinceNanos;
        }
    }

    record Snapshot(State state, int cols, int rows, long outputSeq, long inputSeq, long bufferedBytes, Integer exitCode, String endReason,
                    Instant endedAt, String tty, boolean clientAttached) {
    }

    Snapshot snapshot() {
        synchronized (lock) {
            return new Snapshot(state, cols, rows, outputSeq, inputSeq, bufferedBytes, exitCode, endReason, endedAt, tty, client != null);
        }
    }

    Recording recording() {
        return recording;
    }
}
