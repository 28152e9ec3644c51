package com.gururmm.server.cluster;

import java.io.ByteArrayOutputStream;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.api.StatusCode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One WebSocket passed on to another node: the downstream leg is the socket a client (or an
 * agent) opened here, the upstream one this node opened to the serving node with the same
 * credential ({@link NodeRelay#openSocket}). Messages go through whole and in order; closes
 * go through with their code and reason.
 *
 * <p>Back-pressure is kept end to end, so the serving node's flow control (a shell's window)
 * still bounds what is in flight: a message from downstream is sent upstream before the next
 * is read (the downstream handler waits for the send), and the next message from upstream is
 * requested only once the previous one is written downstream.
 */
public final class RelayedSocket implements WebSocket.Listener {
    private static final Logger log = LoggerFactory.getLogger(RelayedSocket.class);
    private static final Duration SEND_TIMEOUT = Duration.ofSeconds(30);
    /** The downstream upgrade follows the upstream handshake at once; an upstream left without one is closed after this. */
    private static final Duration ATTACH_TIMEOUT = Duration.ofSeconds(15);

    private final String node;
    private final int maxMessage;
    private volatile WebSocket upstream;
    private volatile Session downstream;
    private final StringBuilder text = new StringBuilder();
    private final ByteArrayOutputStream binary = new ByteArrayOutputStream();
    /** A close from upstream that came before the downstream leg was attached. */
    private int pendingCode;
    private String pendingReason;

    RelayedSocket(String node, int maxMessage) {
        this.node = node;
        this.maxMessage = maxMessage;
    }

    void upstream(WebSocket socket) {
        this.upstream = socket;
        // If the downstream upgrade never happens (the client went away, the upgrade failed), nothing else would
        // close the upstream: it asks for no messages until attached, so even its close would wait unread.
        java.util.concurrent.CompletableFuture.delayedExecutor(ATTACH_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).execute(() -> {
            if (downstream == null) {
                log.info("relayed socket to node {}: the downstream leg never attached; closing the upstream", node);
                socket.abort();
            }
        });
    }

    /** The node this socket is passed on to. */
    public String node() {
        return node;
    }

    // ---- downstream (Jetty) → upstream --------------------------------------------------------

    /** The downstream leg is upgraded: messages from upstream start flowing to it. */
    public void attach(Session session) {
        int code;
        String reason;
        synchronized (this) {
            downstream = session;
            code = pendingCode;
            reason = pendingReason;
        }
        if (code != 0) {
            session.close(code, reason, Callback.NOOP);
            return;
        }
        upstream.request(1);
    }

    /** A text message from downstream; returns once upstream took it (so Jetty reads the next one only then). */
    public void fromDownstream(String message) {
        await(upstream.sendText(message, true));
    }

    /** A binary message from downstream; {@code data} is copied before this returns. */
    public void fromDownstream(ByteBuffer data) {
        ByteBuffer copy = ByteBuffer.allocate(data.remaining());
        copy.put(data.duplicate()).flip();
        await(upstream.sendBinary(copy, true));
    }

    /**
     * Downstream closed: upstream is closed with the same code where a client may send it, so the
     * serving node sees why; other codes (1006 and the like, which are never sent, and those the
     * JDK's client refuses: 1002, 1003, 1007, 1009, 1010, 1012-1014) go as 1000 with the code in
     * the reason.
     */
    public void downstreamClosed(int code, String reason) {
        WebSocket up = upstream;
        if (up == null || up.isOutputClosed()) {
            return;
        }
        String why = reason == null ? "" : reason;
        int sendable = code;
        if (!clientMaySend(code)) {
            sendable = StatusCode.NORMAL;
            why = clip("closed with " + code + (why.isEmpty() ? "" : ": " + why));
        }
        up.sendClose(sendable, why).orTimeout(SEND_TIMEOUT.toSeconds(), TimeUnit.SECONDS).whenComplete((ws, error) -> up.abort());
    }

    /** The close codes java.net.http's client sends (jdk.internal.net.http.websocket.StatusCodes). */
    static boolean clientMaySend(int code) {
        return code == StatusCode.NORMAL || code == StatusCode.SHUTDOWN || code == StatusCode.POLICY_VIOLATION
                || code == StatusCode.SERVER_ERROR || (code >= 3000 && code <= 4999);
    }

    /** A close reason fits 123 bytes of UTF-8. */
    private static String clip(String reason) {
        byte[] bytes = reason.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        if (bytes.length <= 123) {
            return reason;
        }
        return new String(bytes, 0, 123, java.nio.charset.StandardCharsets.UTF_8).replaceAll("\uFFFD$", "");
    }

    private void await(CompletionStage<WebSocket> send) {
        try {
            send.toCompletableFuture().get(SEND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            fail("interrupted");
        } catch (Exception e) {
            fail("sending to node " + node + " failed: " + e);
        }
    }

    private void fail(String why) {
        log.info("relayed socket to node {}: {}", node, why);
        WebSocket up = upstream;
        if (up != null) {
            up.abort();
        }
        Session down = downstream;
        if (down != null) {
            down.close(StatusCode.SERVER_ERROR, "relay to node " + node + " failed", Callback.NOOP);
        }
    }

    // ---- upstream → downstream ------------------------------------------------------------------

    @Override
    public void onOpen(WebSocket webSocket) {
        // Nothing is requested until the downstream leg is attached: no message can arrive with nowhere to go.
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
        text.append(data);
        if (text.length() > maxMessage) {
            fail("a text message from node " + node + " exceeds " + maxMessage + " characters");
            return null;
        }
        if (!last) {
            webSocket.request(1);
            return null;
        }
        String whole = text.toString();
        text.setLength(0);
        downstream.sendText(whole, next(webSocket));
        return null;
    }

    @Override
    public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
        byte[] chunk = new byte[data.remaining()];
        data.get(chunk);
        binary.writeBytes(chunk);
        if (binary.size() > maxMessage) {
            fail("a binary message from node " + node + " exceeds " + maxMessage + " bytes");
            return null;
        }
        if (!last) {
            webSocket.request(1);
            return null;
        }
        ByteBuffer whole = ByteBuffer.wrap(binary.toByteArray());
        binary.reset();
        downstream.sendBinary(whole, next(webSocket));
        return null;
    }

    /** Asks upstream for the next message once this one is written downstream. */
    private Callback next(WebSocket webSocket) {
        return Callback.from(() -> webSocket.request(1), error -> fail("writing to the downstream socket failed: " + error));
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
        Session down;
        synchronized (this) {
            down = downstream;
            if (down == null) {
                pendingCode = statusCode;
                pendingReason = reason;
                return null;
            }
        }
        // Jetty queues the close behind the messages already handed to it, so the last frames arrive before it.
        down.close(statusCode == StatusCode.NO_CODE || statusCode == StatusCode.NO_CLOSE ? StatusCode.NORMAL : statusCode, reason,
                Callback.NOOP);
        return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
        log.info("relayed socket to node {} broke: {}", node, error.toString());
        String reason = clip("the connection to node " + node + " broke");
        Session down;
        synchronized (this) {
            down = downstream;
            if (down == null) {
                pendingCode = StatusCode.SERVER_ERROR;
                pendingReason = reason;
                return;
            }
        }
        down.close(StatusCode.SERVER_ERROR, reason, Callback.NOOP);
    }
}
