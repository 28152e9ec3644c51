package com.gururmm.server.gateway;

import com.gururmm.protocol.wire.ServerMessage;
import com.gururmm.protocol.wire.Wire;
import com.gururmm.server.agent.AgentLink;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.api.StatusCode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An {@link AgentLink} over a Jetty WebSocket session. Sends are asynchronous: Jetty queues
 * frames per session, so any thread may send without blocking on a slow agent.
 */
final class SocketLink implements AgentLink {
    private static final Logger log = LoggerFactory.getLogger(SocketLink.class);

    private final UUID agentId;
    private final Session session;
    private final String remoteAddress;
    private final AtomicInteger badFrames = new AtomicInteger();
    private volatile boolean helloReceived;
    /** Unknown message types already answered on this connection (bounded: a few names, then none). */
    private final java.util.Set<String> unknownTypesAnswered = java.util.concurrent.ConcurrentHashMap.newKeySet();
    static final int MAX_UNKNOWN_TYPES_ANSWERED = 16;

    SocketLink(UUID agentId, Session session, String remoteAddress) {
        this.agentId = agentId;
        this.session = session;
        this.remoteAddress = remoteAddress;
    }

    @Override
    public String remoteAddress() {
        return remoteAddress;
    }

    @Override
    public UUID agentId() {
        return agentId;
    }

    @Override
    public boolean send(ServerMessage message) {
        if (!session.isOpen()) {
            return false;
        }
        try {
            session.sendText(Wire.encode(message), Callback.from(() -> {
            }, failure -> log.debug("send to agent {} failed: {}", agentId, failure.toString())));
            return true;
        } catch (RuntimeException e) {
            log.debug("send to agent {} failed: {}", agentId, e.toString());
            return false;
        }
    }

    @Override
    public void close(String reason) {
        String shortReason = reason.length() > 120 ? reason.substring(0, 120) : reason;
        session.close(StatusCode.NORMAL, shortReason, Callback.NOOP);
    }

    /**
     * True the first time an unknown message type is seen on this connection (up to a few types):
     * the server answers it once, so a newer agent learns it is ignored, and further frames of it
     * cost no reply — a peer that never reads cannot make the server queue answers without bound.
     */
    boolean firstOfUnknownType(String type) {
        return unknownTypesAnswered.size() < MAX_UNKNOWN_TYPES_ANSWERED && unknownTypesAnswered.add(type);
    }

    boolean helloReceived() {
        return helloReceived;
    }

    void markHelloReceived() {
        helloReceived = true;
    }

    int countBadFrame() {
        return badFrames.incrementAndGet();
    }
}
