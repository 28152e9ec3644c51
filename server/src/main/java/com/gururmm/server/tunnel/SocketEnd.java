package com.gururmm.server.tunnel;

import com.gururmm.protocol.tunnel.TunnelControl;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.api.StatusCode;

/**
 * One leg of a tunnel (the client's or the agent's) over a Jetty WebSocket session. Sends are
 * asynchronous and queued by Jetty in call order; {@link TunnelSession} only sends under its lock,
 * so control and byte frames keep their relative order. The bytes queued here are never more
 * than the flow-control window, because they are the replay buffer's own chunks.
 */
final class SocketEnd {
    /** Close code a client sees when its session ended (the {@code exit} frame came first). */
    static final int ENDED = StatusCode.NORMAL;
    /** The client was replaced by a newer attach of the same session. */
    static final int REPLACED = 4001;
    /** Too many refused frames. */
    static final int POLICY = StatusCode.POLICY_VIOLATION;

    private final Session session;
    private final AtomicInteger badFrames = new AtomicInteger();

    SocketEnd(Session session) {
        this.session = session;
    }

    boolean isOpen() {
        return session.isOpen();
    }

    void send(TunnelControl control) {
        if (session.isOpen()) {
            session.sendText(TunnelControl.encode(control), Callback.NOOP);
        }
    }

    void send(ByteBuffer bytes) {
        if (session.isOpen()) {
            session.sendBinary(bytes, Callback.NOOP);
        }
    }

    /** Sends and completes once the frame is written: callers wait on it to pass back-pressure on. */
    CompletableFuture<Void> sendAndWait(ByteBuffer bytes) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        if (!session.isOpen()) {
            done.completeExceptionally(new IllegalStateException("closed"));
            return done;
        }
        session.sendBinary(bytes, Callback.from(() -> done.complete(null), done::completeExceptionally));
        return done;
    }

    int countBadFrame() {
        return badFrames.incrementAndGet();
    }

    void close(int code, String reason) {
        String shortReason = reason == null ? "" : reason.length() > 120 ? reason.substring(0, 120) : reason;
        if (session.isOpen()) {
            session.close(code, shortReason, Callback.NOOP);
        }
    }
}
