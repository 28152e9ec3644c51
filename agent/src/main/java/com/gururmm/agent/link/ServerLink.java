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
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's one WebSocket to the server, kept up forever.
 *
 * <p>Reconnects use capped exponential back-off with full jitter (a delay drawn uniformly
 * from [base/2, base], base doubling from 1 s to 30 s), so that thousands of agents losing a
 * server at the same moment come back spread out instead of as one storm. The first connect
 * after a (re)start waits a small random moment for the same reason (a fleet restarted by an
 * update or a power cut), except right after enrollment, when nothing is synchronised.
 *
 * <p>Every way a connection can end (the server's close, an error, a failed or stuck send, the
 * watchdog giving up on it, {@link #stop()}) completes that connection's {@link Connection#ended}
 * future, which is what the reconnect loop waits on. The JDK WebSocket calls no listener method
 * after {@code abort()}, so an abort that only told the socket would leave the loop waiting
 * forever: here nothing aborts a socket except through {@link Connection#drop}, which completes
 * the future first.
 *
 * <p>Liveness: the loop itself is the watchdog. While it waits it checks the connection every half
 * heartbeat (at least once a second), pings the server once per heartbeat (the server answers pings by itself) and, if
 * nothing at all has come back for three heartbeat intervals, drops the connection. That catches a half-open connection (a laptop that
 * slept, a NAT that forgot the flow) whose sends still "succeed" into a socket buffer, and it
 * does not depend on any other thread: a stuck send cannot stall it. Opening a connection is
 * bounded too (the TCP connect and the upgrade response), so a server that accepts a connection
 * but never answers does not hold the loop either.
 */
public final class ServerLink {
    private static final Logger log = LoggerFactory.getLogger(ServerLink.class);
    /**
     * 30 s, not longer: after a long outage the next attempt then comes within 30 s of recovery,
     * and with the bounded connect (at most 20 s) an agent is back within a minute (issue 8).
     */
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(30);
    /** Until the server's welcome says otherwise (the server's default). */
    private static final Duration DEFAULT_HEARTBEAT = Duration.ofSeconds(30);
    /** A silent connection is given up after this many heartbeat intervals. */
    private static final int SILENT_HEARTBEATS = 3;
    private static final Duration SEND_TIMEOUT = Duration.ofSeconds(30);
    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);

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
    private volatile Connection current;
    private volatile Duration heartbeat = DEFAULT_HEARTBEAT;
    private volatile boolean stopped;

    public ServerLink(HttpClient http, URI serverUrl, Credential credential, Handler handler) {
        this.http = http;
        String scheme = serverUrl.getScheme().equals("https") ? "wss" : "ws";
        this.wsUri = URI.create(scheme + "://" + serverUrl.getRawAuthority() + "/api/agent/ws");
        this.credential = credential;
        this.handler = handler;
    }

    /** The server's heartbeat interval (from its welcome): the watchdog's and the connect bound's unit. */
    public void heartbeat(Duration interval) {
        if (interval != null && !interval.isNegative() && !interval.isZero()) {
            heartbeat = interval;
        }
    }

    /** Connects, runs until the connection ends, reconnects; returns only when {@link #stop()} is called. */
    public void runForever(Supplier<AgentMessage.Hello> hello, boolean startupJitter) throws InterruptedException {
        if (startupJitter) {
            Thread.sleep(ThreadLocalRandom.current().nextLong(0, 250));
        }
        int failures = 0;
        while (!stopped) {
            Connection connection = new Connection();
            try {
                open(connection);
                current = connection;
                if (!stopped && send(hello.get())) {
                    watch(connection);
                }
            } catch (ExecutionException e) {
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
                    log.info("connection to {} failed: {}", wsUri, cause.toString());
                }
            } catch (TimeoutException e) {
                log.info("connection to {} was not established within {} s; retrying", wsUri, connectBound().toSeconds());
            } catch (RuntimeException e) {
                log.info("connection to {} failed: {}", wsUri, e.toString());
            } finally {
                current = null;
                connection.drop(null);
                if (connection.welcomed) {
                    failures = 0;
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

    /** How long opening a connection (TCP connect, upgrade request and response) may take. */
    Duration connectBound() {
        Duration scaled = heartbeat.multipliedBy(SILENT_HEARTBEATS);
        return scaled.compareTo(Duration.ofSeconds(5)) < 0 ? Duration.ofSeconds(5)
                : scaled.compareTo(Duration.ofSeconds(20)) > 0 ? Duration.ofSeconds(20) : scaled;
    }

    private void open(Connection connection) throws ExecutionException, InterruptedException, TimeoutException {
        Credential c = credential;
        Duration bound = connectBound();
        // The builder's connect timeout also bounds the upgrade response (the JDK sets it as the
        // request timeout); the wait below is a second, slightly longer bound of our own.
        CompletableFuture<WebSocket> opening = http.newWebSocketBuilder()
                .connectTimeout(bound)
                .header("Authorization", "Bearer " + c.token())
                .header("X-GuruRMM-Agent-Id", c.agentId().toString())
                .buildAsync(wsUri, connection);
        try {
            connection.socket = opening.get(bound.plusSeconds(5).toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException | InterruptedException e) {
            // A socket that opens after we gave up must not linger unwatched beside the next one.
            opening.whenComplete((ws, error) -> {
                if (ws != null) {
                    ws.abort();
                }
            });
            throw e;
        }
        connection.heard();
    }

    /** Waits until {@code connection} ends, pinging it and dropping it once it has been silent too long. */
    private void watch(Connection connection) throws InterruptedException {
        while (true) {
            Duration interval = heartbeat;
            try {
                // At most a second: the interval may change under us (the welcome brings the server's).
                connection.ended.get(Math.clamp(interval.toMillis() / 2, 100, 1000), TimeUnit.MILLISECONDS);
                return;
            } catch (ExecutionException e) {
                log.info("connection to {} ended: {}", wsUri, e.getCause().toString());
                return;
            } catch (TimeoutException e) {
                // still open: check it below
            }
            Duration limit = interval.multipliedBy(SILENT_HEARTBEATS);
            if (connection.silentFor().compareTo(limit) > 0) {
                connection.drop("no traffic from the server for " + connection.silentFor().toSeconds() + " s (limit "
                        + limit.toSeconds() + " s); reconnecting");
            } else if (connection.sincePing().compareTo(interval) >= 0) {
                connection.ping(interval);
            }
        }
    }

    /** Sends one message; false when not connected (or the send failed, which drops the connection). */
    public boolean send(AgentMessage message) {
        Connection connection = current;
        WebSocket ws = connection == null ? null : connection.socket;
        if (ws == null || connection.ended.isDone()) {
            return false;
        }
        String text = Wire.encode(message);
        sendLock.lock();
        try {
            // The JDK WebSocket allows one outstanding text send at a time; the lock serialises senders.
            ws.sendText(text, true).get(SEND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            connection.drop("interrupted while sending");
            return false;
        } catch (ExecutionException | TimeoutException | RuntimeException e) {
            connection.drop("send failed (" + e + "); dropping the connection");
            return false;
        } finally {
            sendLock.unlock();
        }
    }

    public boolean connected() {
        Connection connection = current;
        return connection != null && connection.welcomed && !connection.ended.isDone();
    }

    public void stop() {
        stopped = true;
        inbound.shutdown();
        Connection connection = current;
        if (connection != null && connection.socket != null) {
            try {
                // Tell the server, but do not let a dead link hold up the exit.
                connection.socket.sendClose(WebSocket.NORMAL_CLOSURE, "agent stopping").get(2, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (ExecutionException | TimeoutException | RuntimeException ignored) {
                // dropping it anyway
            }
            connection.drop(null);
        }
    }

    /** One WebSocket connection and everything that ends it. */
    private final class Connection implements WebSocket.Listener {
        /** Completes (normally or exceptionally) exactly when this connection is over, whatever ended it. */
        final CompletableFuture<Void> ended = new CompletableFuture<>();
        private final StringBuilder partial = new StringBuilder();
        volatile WebSocket socket;
        volatile boolean welcomed;
        private volatile long lastReceivedNanos = System.nanoTime();
        private volatile long lastPingNanos = System.nanoTime() - TimeUnit.DAYS.toNanos(1);

        void heard() {
            lastReceivedNanos = System.nanoTime();
        }

        Duration silentFor() {
            return Duration.ofNanos(System.nanoTime() - lastReceivedNanos);
        }

        /** Ends the connection (idempotent): the loop wakes up first, then the socket is torn down. */
        void drop(String reason) {
            if (ended.complete(null) && reason != null) {
                log.warn("{}", reason);
            }
            WebSocket ws = socket;
            if (ws != null) {
                ws.abort();
            }
        }

        Duration sincePing() {
            return Duration.ofNanos(System.nanoTime() - lastPingNanos);
        }

        /** Pings without blocking; a ping the connection cannot get out within a heartbeat drops it. */
        void ping(Duration within) {
            WebSocket ws = socket;
            if (ws == null) {
                return;
            }
            lastPingNanos = System.nanoTime();
            ws.sendPing(EMPTY.duplicate()).orTimeout(within.toMillis(), TimeUnit.MILLISECONDS).whenComplete((ok, error) -> {
                // "Send pending" only means the previous ping is still on its way; the silence check covers it.
                if (error != null && !(error instanceof IllegalStateException)) {
                    drop("ping failed (" + error + "); dropping the connection");
                }
            });
        }

        @Override
        public void onOpen(WebSocket webSocket) {
            socket = webSocket;
            webSocket.request(1);
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            heard();
            partial.append(data);
            if (partial.length() > Wire.MAX_FRAME_BYTES) {
                drop("server sent a message over " + Wire.MAX_FRAME_BYTES + " bytes; dropping the connection");
                return null;
            }
            if (last) {
                String frame = partial.toString();
                partial.setLength(0);
                try {
                    inbound.execute(() -> dispatch(frame));
                } catch (java.util.concurrent.RejectedExecutionException e) {
                    return null; // stopping
                }
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
                    if (welcome.heartbeatSeconds() > 0) {
                        heartbeat(Duration.ofSeconds(welcome.heartbeatSeconds()));
                    }
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
            heard();
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onPong(WebSocket webSocket, ByteBuffer message) {
            heard();
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onPing(WebSocket webSocket, ByteBuffer message) {
            heard();
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            log.info("server closed the connection ({} {})", statusCode, reason);
            ended.complete(null);
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            ended.completeExceptionally(error);
        }
    }
}
