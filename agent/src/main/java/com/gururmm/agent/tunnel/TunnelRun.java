package com.gururmm.agent.tunnel;

import com.gururmm.agent.platform.CommandRefusedException;
import com.gururmm.agent.platform.Platform;
import com.gururmm.agent.platform.ShellLaunch;
import com.gururmm.protocol.ExecutionContext;
import com.gururmm.protocol.tunnel.TunnelControl;
import com.gururmm.protocol.wire.ProtocolException;
import com.gururmm.protocol.wire.ServerMessage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One tunnel session on the agent: its own WebSocket to the server ({@code /api/agent/tunnel/{id}},
 * the agent's credential), a shell on a PTY, and two pumps.
 *
 * <p>Output (PTY to server) is credit-based: the pump reads at most {@code window - (sent - acked)}
 * bytes, so it never has more than the window unacknowledged; with no credit it stops reading,
 * the PTY's buffer fills and the producing program blocks in its write. That is the whole
 * back-pressure story: nothing on the agent or the server buffers more than the window.
 *
 * <p>Input (server to PTY) is pulled one frame at a time: the next frame is requested only after
 * the previous one is written to the PTY, so a fast paste waits in TCP, not in memory.
 *
 * <p>The session ends when the shell exits (after its last output is sent: {@code exit} with the
 * status), when the server closes it, when the socket drops, or at the maximum length; every end
 * kills the shell's process tree.
 */
final class TunnelRun {
    private static final Logger log = LoggerFactory.getLogger(TunnelRun.class);
    private static final int CHUNK = 16 * 1024;

    private final ServerMessage.TunnelOpen open;
    private final Platform platform;
    private final PtyShell.Starter starter;
    private final HttpClient http;
    private final URI socketUri;
    private final String agentId;
    private final String token;
    private final Runnable onDone;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition credit = lock.newCondition();
    private long sent;
    private long acked;
    private volatile boolean ended;
    private volatile PtyShell shell;
    private volatile WebSocket socket;
    /** Writes to the PTY: a platform thread, because a write the shell does not read blocks in native code ({@link TunnelManager#ptyThread}). */
    private final ExecutorService inbound = Executors.newSingleThreadExecutor(TunnelManager.ptyThread("tunnel-in").factory());
    private final ReentrantLock sendLock = new ReentrantLock();

    TunnelRun(ServerMessage.TunnelOpen open, Platform platform, PtyShell.Starter starter, HttpClient http, URI serverUrl,
              UUID agentId, String token, Runnable onDone) {
        this.open = open;
        this.platform = platform;
        this.starter = starter;
        this.http = http;
        String scheme = serverUrl.getScheme().equals("https") ? "wss" : "ws";
        this.socketUri = URI.create(scheme + "://" + serverUrl.getRawAuthority() + "/api/agent/tunnel/" + open.sessionId());
        this.agentId = agentId.toString();
        this.token = token;
        this.onDone = onDone;
    }

    UUID sessionId() {
        return open.sessionId();
    }

    /** Runs the whole session on the calling (virtual) thread. */
    void run() {
        try {
            socket = http.newWebSocketBuilder()
                    .connectTimeout(Duration.ofSeconds(10))
                    .header("Authorization", "Bearer " + token)
                    .header("X-GuruRMM-Agent-Id", agentId)
                    .buildAsync(socketUri, new Listener())
                    .get(15, TimeUnit.SECONDS);
        } catch (Exception e) {
            log.warn("tunnel session {}: cannot connect {}: {}", open.sessionId(), socketUri, e.toString());
            finish();
            return;
        }
        try {
            ExecutionContext context = ExecutionContext.parse(open.context()).orElse(null);
            if (context == null) {
                fail("bad_context", "context must be system or user_session; got '" + open.context() + "'.");
                return;
            }
            ShellLaunch launch = platform.shell(context);
            shell = starter.start(launch, open.cols(), open.rows());
        } catch (CommandRefusedException e) {
            fail("refused", e.getMessage());
            return;
        } catch (IOException | RuntimeException | LinkageError e) {
            // LinkageError: the PTY library's native part or a class of it is missing; say so instead of dying silently.
            fail("pty_failed", "the shell could not be started on a pseudo-terminal: " + e);
            return;
        }
        log.info("tunnel session {}: shell {} on {}", open.sessionId(), shell.pid(), shell.tty());
        if (!sendText(new TunnelControl.Ready(shell.pid(), shell.tty()))) {
            end("the server connection closed");
            return;
        }
        Thread.ofVirtual().name("tunnel-limit").start(() -> {
            try {
                Thread.sleep(Duration.ofSeconds(Math.max(1, open.maxSeconds())).toMillis());
                end("reached the maximum session length");
            } catch (InterruptedException ignored) {
                // session over
            }
        });
        pumpOutput();
    }

    private void pumpOutput() {
        InputStream out = shell.output();
        byte[] buffer = new byte[CHUNK];
        try {
            while (!ended) {
                int allowed = awaitCredit();
                if (allowed <= 0) {
                    break;
                }
                int n = out.read(buffer, 0, Math.min(buffer.length, allowed));
                if (n < 0) {
                    break;
                }
                if (n == 0) {
                    continue;
                }
                ByteBuffer frame = ByteBuffer.allocate(n).put(buffer, 0, n).flip();
                if (!sendBinary(frame)) {
                    end("the server connection closed");
                    return;
                }
                lock.lock();
                try {
                    sent += n;
                } finally {
                    lock.unlock();
                }
            }
        } catch (IOException e) {
            // Linux reports EIO on the pty once the shell and its children are gone: that is the end of output.
            log.debug("tunnel session {}: pty read ended: {}", open.sessionId(), e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (ended) {
            return;
        }
        Integer code = null;
        try {
            code = shell.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        sendText(new TunnelControl.Exit(code, code == null ? "the shell ended" : "the shell exited with status " + code));
        end(null);
    }

    /** Waits until the window has room; returns how many bytes may be sent, or 0 once the session ended. */
    private int awaitCredit() throws InterruptedException {
        lock.lock();
        try {
            while (!ended && sent - acked >= open.windowBytes()) {
                credit.await(1, TimeUnit.SECONDS);
            }
            return ended ? 0 : (int) Math.min(Integer.MAX_VALUE, open.windowBytes() - (sent - acked));
        } finally {
            lock.unlock();
        }
    }

    private void onAck(long seq) {
        lock.lock();
        try {
            if (seq > acked && seq <= sent) {
                acked = seq;
                credit.signalAll();
            }
        } finally {
            lock.unlock();
        }
    }

    private void fail(String code, String message) {
        log.info("tunnel session {} not started: {}", open.sessionId(), message);
        sendText(new TunnelControl.Error(code, message));
        end(message);
    }

    /** Server asked to close (tunnel_close or a close frame), the socket dropped, or the shell is done. */
    void end(String reason) {
        if (ended) {
            return;
        }
        ended = true;
        lock.lock();
        try {
            credit.signalAll();
        } finally {
            lock.unlock();
        }
        PtyShell current = shell;
        if (current != null) {
            current.killTree();
        }
        WebSocket ws = socket;
        if (ws != null) {
            try {
                ws.sendClose(WebSocket.NORMAL_CLOSURE, reason == null ? "session ended" : clip(reason)).get(2, TimeUnit.SECONDS);
            } catch (Exception ignored) {
                // aborted below
            }
            ws.abort();
        }
        if (reason != null) {
            log.info("tunnel session {} ended: {}", open.sessionId(), reason);
        }
        finish();
    }

    private void finish() {
        inbound.shutdownNow();
        onDone.run();
    }

    private static String clip(String reason) {
        return reason.length() > 100 ? reason.substring(0, 100) : reason;
    }

    private boolean sendText(TunnelControl control) {
        return send(ws -> ws.sendText(TunnelControl.encode(control), true));
    }

    private boolean sendBinary(ByteBuffer data) {
        return send(ws -> ws.sendBinary(data, true));
    }

    private boolean send(java.util.function.Function<WebSocket, CompletableFuture<WebSocket>> op) {
        WebSocket ws = socket;
        if (ws == null || ws.isOutputClosed()) {
            return false;
        }
        sendLock.lock();
        try {
            op.apply(ws).get(60, TimeUnit.SECONDS);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (Exception e) {
            log.debug("tunnel session {}: send failed: {}", open.sessionId(), e.toString());
            return false;
        } finally {
            sendLock.unlock();
        }
    }

    private final class Listener implements WebSocket.Listener {
        private final ByteArrayOutputStream binary = new ByteArrayOutputStream();
        private final StringBuilder text = new StringBuilder();

        @Override
        public void onOpen(WebSocket webSocket) {
            webSocket.request(1);
        }

        @Override
        public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
            byte[] chunk = new byte[data.remaining()];
            data.get(chunk);
            binary.writeBytes(chunk);
            if (!last) {
                webSocket.request(1);
                return null;
            }
            byte[] frame = binary.toByteArray();
            binary.reset();
            inbound.execute(() -> {
                PtyShell current = shell;
                try {
                    if (current != null) {
                        current.input().write(frame);
                        current.input().flush();
                    }
                } catch (IOException e) {
                    log.debug("tunnel session {}: pty write failed: {}", open.sessionId(), e.toString());
                }
                webSocket.request(1);
            });
            return null;
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            text.append(data);
            if (text.length() > TunnelControl.MAX_TEXT_FRAME) {
                end("the server sent an oversize control frame");
                return null;
            }
            if (!last) {
                webSocket.request(1);
                return null;
            }
            String frame = text.toString();
            text.setLength(0);
            try {
                switch (TunnelControl.decode(frame)) {
                    case TunnelControl.Ack ack -> onAck(ack.seq());
                    case TunnelControl.Resize resize -> inbound.execute(() -> {
                        PtyShell current = shell;
                        if (current != null && TunnelControl.sizeProblem(resize.cols(), resize.rows()) == null) {
                            current.resize(resize.cols(), resize.rows());
                        }
                    });
                    case TunnelControl.Close close -> Thread.ofVirtual().start(() -> end(close.reason()));
                    default -> log.debug("tunnel session {}: ignored control frame {}", open.sessionId(), frame);
                }
            } catch (ProtocolException e) {
                log.info("tunnel session {}: malformed control frame from the server: {}", open.sessionId(), e.getMessage());
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            Thread.ofVirtual().start(() -> end("the server closed the tunnel (" + statusCode + " " + reason + ")"));
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            Thread.ofVirtual().start(() -> end("tunnel connection error: " + error));
        }
    }
}
