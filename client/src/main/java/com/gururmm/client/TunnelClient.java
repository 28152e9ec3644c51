package com.gururmm.client;

import com.gururmm.protocol.tunnel.TunnelControl;
import com.gururmm.protocol.wire.ProtocolException;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A terminal attached to a tunnel session's WebSocket ({@code /api/v1/tunnel/sessions/{id}}),
 * as the CLI and the tests use it.
 *
 * <p>It survives a dropped connection: it counts the output bytes it delivered, and when the
 * socket ends without an {@code exit} frame it reconnects (for up to {@link #REATTACH_FOR}) and
 * attaches with that count, so the server replays exactly what was missed; input it sent that
 * the server had not received (the {@code attached} frame says how much it had) is sent again.
 * It acknowledges output as it delivers it, which is what lets the agent send more (credit flow control).
 */
public final class TunnelClient implements AutoCloseable {
    /** How long reconnecting is tried before the session is given up for lost. */
    public static final Duration REATTACH_FOR = Duration.ofSeconds(60);
    private static final int INPUT_HISTORY = 256 * 1024;

    /** What the terminal does with the session's events; called on one thread, in order. */
    public interface Listener {
        void output(byte[] data);

        /** The session ended: {@code code} is the shell's exit status, null when it did not exit by itself. */
        default void exit(Integer code, String reason) {
        }

        /** The server refused a frame (bad size, malformed control...). */
        default void error(String code, String message) {
        }

        default void reconnecting(String why) {
        }
    }

    private final HttpClient http;
    private final URI uri;
    private final String bearer;
    private final UUID sessionId;
    private final Listener listener;
    private final boolean autoAck;
    private final ReentrantLock sendLock = new ReentrantLock();
    private final CompletableFuture<Integer> exited = new CompletableFuture<>();
    private final ArrayDeque<byte[]> sentInput = new ArrayDeque<>();
    private long sentInputStart;
    private long sentInputEnd;
    private volatile long received;
    private volatile WebSocket socket;
    private volatile CompletableFuture<Void> connectionEnded = new CompletableFuture<>();
    private volatile boolean closed;
    private volatile TunnelControl.Attached lastAttached;
    private volatile int reconnects;

    private TunnelClient(HttpClient http, URI baseUrl, String bearer, UUID sessionId, Listener listener, boolean autoAck) {
        this.http = http;
        String scheme = baseUrl.getScheme().equals("https") ? "wss" : "ws";
        this.uri = URI.create(scheme + "://" + baseUrl.getRawAuthority() + "/api/v1/tunnel/sessions/" + sessionId);
        this.bearer = bearer;
        this.sessionId = sessionId;
        this.listener = listener;
        this.autoAck = autoAck;
    }

    /** Connects and attaches; throws {@link GuruApiException} when the server refuses the upgrade (401, 403, 404, 410). */
    public static TunnelClient attach(HttpClient http, URI baseUrl, String bearer, UUID sessionId, Listener listener, boolean autoAck) {
        TunnelClient client = new TunnelClient(http, baseUrl, bearer, sessionId, listener, autoAck);
        client.connect();
        Thread.ofVirtual().name("tunnel-client-" + sessionId).start(client::superviseConnection);
        return client;
    }

    private void connect() {
        CompletableFuture<Void> ended = new CompletableFuture<>();
        try {
            WebSocket ws = http.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(10))
                    .header("Authorization", "Bearer " + bearer)
                    .buildAsync(uri, new SocketListener(ended)).get(20, TimeUnit.SECONDS);
            connectionEnded = ended;
            socket = ws;
            sendText(ws, new TunnelControl.Attach(received));
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof WebSocketHandshakeException handshake) {
                int status = handshake.getResponse().statusCode();
                Object body = handshake.getResponse().body();
                throw new GuruApiException(status, "http_" + status, body == null ? "the server refused the tunnel connection (HTTP " + status + ")"
                        : body.toString());
            }
            throw new GuruApiException(503, "unreachable", "cannot connect " + uri + ": " + e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new GuruApiException(503, "interrupted", "interrupted while connecting");
        } catch (java.util.concurrent.TimeoutException e) {
            throw new GuruApiException(503, "timeout", "no answer from " + uri);
        }
    }

    /** Reconnects whenever a connection ends without the session ending. */
    private void superviseConnection() {
        while (!closed && !exited.isDone()) {
            try {
                connectionEnded.join();
            } catch (RuntimeException ignored) {
                // ended with an error: reconnect the same way
            }
            if (closed || exited.isDone()) {
                return;
            }
            long deadline = System.nanoTime() + REATTACH_FOR.toNanos();
            boolean back = false;
            long delay = 200;
            while (!closed && !exited.isDone() && System.nanoTime() < deadline) {
                listener.reconnecting("connection lost; reattaching at byte " + received);
                try {
                    Thread.sleep(delay);
                    connect();
                    reconnects++;
                    back = true;
                    break;
                } catch (GuruApiException e) {
                    if (e.status() == 404 || e.status() == 410 || e.status() == 403 || e.status() == 401) {
                        exited.complete(null);
                        listener.exit(null, e.getMessage());
                        return;
                    }
                } catch (InterruptedException e) {
                    return;
                }
                delay = Math.min(2000, delay * 2);
            }
            if (!back) {
                exited.complete(null);
                listener.exit(null, "the connection could not be re-established within " + REATTACH_FOR.toSeconds() + " s");
                return;
            }
        }
    }

    /** Sends terminal input (keystrokes, a paste). */
    public void send(byte[] data) {
        for (int off = 0; off < data.length; off += TunnelControl.MAX_BINARY_FRAME) {
            int len = Math.min(TunnelControl.MAX_BINARY_FRAME, data.length - off);
            byte[] chunk = java.util.Arrays.copyOfRange(data, off, off + len);
            synchronized (sentInput) {
                sentInput.addLast(chunk);
                sentInputEnd += chunk.length;
                while (sentInputEnd - sentInputStart - sentInput.peekFirst().length >= INPUT_HISTORY) {
                    sentInputStart += sentInput.removeFirst().length;
                }
            }
            WebSocket ws = socket;
            if (ws != null) {
                sendBinary(ws, chunk);
            }
        }
    }

    public void send(String text) {
        send(text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    public void resize(int cols, int rows) {
        control(new TunnelControl.Resize(cols, rows));
    }

    /** Sends any control frame (tests send invalid ones on purpose). */
    public void control(TunnelControl message) {
        sendRawText(TunnelControl.encode(message));
    }

    public void sendRawText(String frame) {
        WebSocket ws = socket;
        if (ws != null) {
            send(() -> ws.sendText(frame, true));
        }
    }

    /** Acknowledges every byte delivered so far (automatic unless attached with autoAck false). */
    public void ack() {
        control(new TunnelControl.Ack(received));
    }

    /** Output bytes delivered so far (the session's output offset). */
    public long received() {
        return received;
    }

    public int reconnects() {
        return reconnects;
    }

    public TunnelControl.Attached lastAttached() {
        return lastAttached;
    }

    /** Simulates a lost network: the socket is torn down without a close handshake; the client then reattaches. */
    public void dropConnection() {
        WebSocket ws = socket;
        if (ws != null) {
            ws.abort();
        }
        connectionEnded.complete(null);
    }

    /** The shell's exit status once the session ended (null when it did not exit by itself). */
    public CompletableFuture<Integer> exit() {
        return exited;
    }

    /** Ends the session (kills the shell). */
    public void terminate(String reason) {
        control(new TunnelControl.Close(reason));
    }

    @Override
    public void close() {
        closed = true;
        WebSocket ws = socket;
        if (ws != null) {
            ws.sendClose(WebSocket.NORMAL_CLOSURE, "client closed");
            ws.abort();
        }
        connectionEnded.complete(null);
    }

    private void sendText(WebSocket ws, TunnelControl message) {
        send(() -> ws.sendText(TunnelControl.encode(message), true));
    }

    private void sendBinary(WebSocket ws, byte[] data) {
        send(() -> ws.sendBinary(ByteBuffer.wrap(data), true));
    }

    private void send(java.util.function.Supplier<CompletableFuture<WebSocket>> op) {
        sendLock.lock();
        try {
            op.get().get(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            // the connection is going away: the supervisor reattaches and resends unreceived input
            connectionEnded.complete(null);
        } finally {
            sendLock.unlock();
        }
    }

    private void resendAfter(WebSocket ws, long inputSeq) {
        java.util.List<byte[]> again = new java.util.ArrayList<>();
        synchronized (sentInput) {
            long offset = sentInputStart;
            for (byte[] chunk : sentInput) {
                long end = offset + chunk.length;
                if (end > inputSeq) {
                    int skip = (int) Math.max(0, inputSeq - offset);
                    again.add(java.util.Arrays.copyOfRange(chunk, skip, chunk.length));
                }
                offset = end;
            }
        }
        again.forEach(chunk -> sendBinary(ws, chunk));
    }

    private final class SocketListener implements WebSocket.Listener {
        private final CompletableFuture<Void> ended;
        private final ByteArrayOutputStream binary = new ByteArrayOutputStream();
        private final StringBuilder text = new StringBuilder();
        /** Bytes of the first frames after attach that this client had already delivered (replay overlap). */
        private long skip;

        SocketListener(CompletableFuture<Void> ended) {
            this.ended = ended;
        }

        @Override
        public void onOpen(WebSocket webSocket) {
            webSocket.request(1);
        }

        @Override
        public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
            byte[] chunk = new byte[data.remaining()];
            data.get(chunk);
            binary.writeBytes(chunk);
            if (last) {
                byte[] frame = binary.toByteArray();
                binary.reset();
                int from = (int) Math.min(frame.length, skip);
                skip -= from;
                if (from < frame.length) {
                    byte[] fresh = from == 0 ? frame : java.util.Arrays.copyOfRange(frame, from, frame.length);
                    received += fresh.length;
                    listener.output(fresh);
                    if (autoAck) {
                        Thread.ofVirtual().start(TunnelClient.this::ack);
                    }
                }
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            text.append(data);
            if (last) {
                String frame = text.toString();
                text.setLength(0);
                try {
                    switch (TunnelControl.decode(frame)) {
                        case TunnelControl.Attached attached -> {
                            lastAttached = attached;
                            skip = Math.max(0, received - attached.replayFrom());
                            Thread.ofVirtual().start(() -> resendAfter(webSocket, attached.inputSeq()));
                        }
                        case TunnelControl.Exit exit -> {
                            listener.exit(exit.code(), exit.reason());
                            exited.complete(exit.code());
                        }
                        case TunnelControl.Error error -> listener.error(error.error(), error.message());
                        default -> {
                        }
                    }
                } catch (ProtocolException e) {
                    listener.error("malformed_control", e.getMessage());
                }
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            ended.complete(null);
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            ended.complete(null);
        }
    }

    public UUID sessionId() {
        return sessionId;
    }
}
