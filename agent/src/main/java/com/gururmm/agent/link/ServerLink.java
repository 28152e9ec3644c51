package com.gururmm.agent.link;

import com.gururmm.protocol.wire.AgentMessage;
import com.gururmm.protocol.wire.ProtocolException;
import com.gururmm.protocol.wire.ServerMessage;
import com.gururmm.protocol.wire.Wire;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's one WebSocket to the server, kept up forever.
 *
 * <p>Reconnects use capped exponential back-off with full jitter (a delay drawn uniformly
 * from [base/2, base], base doubling from 1 s to 60 s), so that thousands of agents losing a
 * server at the same moment come back spread out instead of as one storm. The first connect
 * after a (re)start waits a small random moment for the same reason (a fleet restarted by an
 * update or a power cut), except right after enrollment, when nothing is synchronised.
 *
 * <p>Liveness: the agent heartbeats (see {@code Agent}) and pings; if nothing at all comes
 * back from the server for three heartbeat intervals, the connection is presumed dead and is
 * replaced, which catches half-open TCP connections that never report an error.
 */
public final class ServerLink {
    private static final Logger log = LoggerFactory.getLogger(ServerLink.class);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(60);

    /** What the agent does with the connection's events. */
    public interface Handler {
        /** Called once the server has answered hello; may send (e.g. the outbox). */
        void onWelcome(ServerMessage.Welcome welcome);

        void onMessage(ServerMessage message);

        /** The server refused our credential at the upgrade (HTTP 401/403). Returns a fresh one, or null. */
        Credential onCredentialRejected();
    }

    public record Credential(UUID agentId, String token) {
    }

    private final HttpClient http;
    private final URI wsUri;
    private final Handler handler;
    private final ReentrantLock sendLock = new ReentrantLock();
    /**
     * Frames are handled off the WebSocket's own thread, in arrival order: handlers may send
     * (which blocks until the frame is written), and blocking inside a JDK WebSocket listener
     * callback could stall the connection.
     */
    private final ExecutorService inbound = Executors.newSingleThreadExecutor(Thread.ofVirtual().name("server-frames").factory());
    private volatile Credential credential;
    private volatile WebSocket socket;
    private volatile boolean welcomed;
    private volatile long lastReceivedNanos = System.nanoTime();
    private volatile boolean stopped;

    public ServerLink(HttpClient http, URI serverUrl, Credential credential, Handler handler) {
        this.http = http;
        String scheme = serverUrl.getScheme().equals("https") ? "wss" : "ws";
        this.wsUri = URI.create(scheme + "://" + serverUrl.getRawAuthority() + "/api/agent/ws");
        this.credential = credential;
        this.handler = handler;
    }

    /** Connects, runs until the connection ends, reconnects; returns only when {@link #stop()} is called. */
    public void runForever(Supplier<AgentMessage.Hello> hello, boolean startupJitter) throws InterruptedException {
        if (startupJitter) {
            Thread.sleep(ThreadLocalRandom.current().nextLong(0, 250));
        }
        int failures = 0;
        while (!stopped) {
            CompletableFuture<Void> closed = new CompletableFuture<>();
            try {
                WebSocket ws = connect(closed);
                socket = ws;
                lastReceivedNanos = System.nanoTime();
                send(hello.get());
                closed.get();
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.CompletionException e) {
                Throwable cause = e.getCause() == null ? e : e.getCause();
                if (cause instanceof WebSocketHandshakeException handshake
                        && (handshake.getResponse().statusCode() == 401 || handshake.getResponse().statusCode() == 403)) {
                    log.error("the server rejected this agent's credential (HTTP {})", handshake.getResponse().statusCode());
                    Credential fresh = handler.onCredentialRejected();
                    if (fresh != null) {
                        credential = fresh;
                        failures = 0;
                        continue;
                    }
                } else {
                    log.info("connection to {} ended: {}", wsUri, cause.toString());
                }
            } catch (RuntimeException e) {
                log.info("connection to {} failed: {}", wsUri, e.toString());
            } finally {
                WebSocket ws = socket;
                socket = null;
                if (welcomed) {
                    failures = 0;
                }
                welcomed = false;
                if (ws != null) {
                    ws.abort();
                }
            }
            if (stopped) {
                return;
            }
            failures++;
            Thread.sleep(backoff(failures).toMillis());
        }
    }

    static Duration backoff(int failures) {
        long base = Math.min(MAX_BACKOFF.toMillis(), 1000L << Math.min(failures - 1, 10));
        return Duration.ofMillis(ThreadLocalRandom.current().nextLong(base / 2, base + 1));
    }

    private WebSocket connect(CompletableFuture<Void> closed) throws java.util.concurrent.ExecutionException, InterruptedException {
        Credential c = credential;
        return http.newWebSocketBuilder()
                .connectTimeout(Duration.ofSeconds(15))
                .header("Authorization", "Bearer " + c.token())
                .header("X-GuruRMM-Agent-Id", c.agentId().toString())
                .buildAsync(wsUri, new Listener(closed))
                .get();
    }

    /** Sends one message; false when not connected (or the send failed, which drops the connection). */
    public boolean send(AgentMessage message) {
        WebSocket ws = socket;
        if (ws == null) {
            return false;
        }
        String text = Wire.encode(message);
        sendLock.lock();
        try {
            // The JDK WebSocket allows one outstanding send at a time; the lock serialises senders.
            ws.sendText(text, true).get(30, TimeUnit.SECONDS);
            return true;
        } catch (Exception e) {
            log.info("send failed ({}); dropping the connection", e.toString());
            ws.abort();
            return false;
        } finally {
            sendLock.unlock();
        }
    }

    /** Sends a ping and reports whether the server has been silent for longer than {@code limit}. */
    public boolean pingAndCheck(Duration limit) {
        WebSocket ws = socket;
        if (ws == null) {
            return true;
        }
        if (System.nanoTime() - lastReceivedNanos > limit.toNanos()) {
            log.warn("no traffic from the server for {} s; reconnecting", limit.toSeconds());
            ws.abort();
            return false;
        }
        sendLock.lock();
        try {
            ws.sendPing(ByteBuffer.allocate(0)).get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            ws.abort();
            return false;
        } finally {
            sendLock.unlock();
        }
        return true;
    }

    public boolean connected() {
        return socket != null && welcomed;
    }

    public void stop() {
        stopped = true;
        inbound.shutdown();
        WebSocket ws = socket;
        if (ws != null) {
            ws.sendClose(WebSocket.NORMAL_CLOSURE, "agent stopping");
        }
    }

    private final class Listener implements WebSocket.Listener {
        private final CompletableFuture<Void> closed;
        private final StringBuilder partial = new StringBuilder();

        Listener(CompletableFuture<Void> closed) {
            this.closed = closed;
        }

        @Override
        public void onOpen(WebSocket webSocket) {
            webSocket.request(1);
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            lastReceivedNanos = System.nanoTime();
            partial.append(data);
            if (partial.length() > Wire.MAX_FRAME_BYTES) {
                log.warn("server sent a message over {} bytes; dropping the connection", Wire.MAX_FRAME_BYTES);
                webSocket.abort();
                return null;
            }
            if (last) {
                String frame = partial.toString();
                partial.setLength(0);
                inbound.execute(() -> dispatch(frame));
            }
            webSocket.request(1);
            return null;
        }

        private void dispatch(String frame) {
            ServerMessage message;
            try {
                message = Wire.decodeServerMessage(frame);
            } catch (ProtocolException e) {
                log.warn("ignoring malformed frame from the server: {}", e.getMessage());
                return;
            }
            try {
                if (message instanceof ServerMessage.Welcome welcome) {
                    welcomed = true;
                    handler.onWelcome(welcome);
                } else {
                    handler.onMessage(message);
                }
            } catch (RuntimeException e) {
                log.error("failed to handle {} from the server", message.getClass().getSimpleName(), e);
            }
        }

        @Override
        public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
            lastReceivedNanos = System.nanoTime();
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onPong(WebSocket webSocket, ByteBuffer message) {
            lastReceivedNanos = System.nanoTime();
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onPing(WebSocket webSocket, ByteBuffer message) {
            lastReceivedNanos = System.nanoTime();
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            log.info("server closed the connection ({} {})", statusCode, reason);
            closed.complete(null);
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            closed.completeExceptionally(error);
        }
    }
}
