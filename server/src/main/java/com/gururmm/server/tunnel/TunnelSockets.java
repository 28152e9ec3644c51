package com.gururmm.server.tunnel;

import com.gururmm.protocol.tunnel.TunnelControl;
import com.gururmm.protocol.wire.ProtocolException;
import com.gururmm.server.auth.Principal;
import com.gururmm.server.cluster.NodeRelay;
import com.gururmm.server.cluster.OnOtherNode;
import com.gururmm.server.cluster.RelayedSocket;
import com.gururmm.server.http.ApiException;
import com.gururmm.server.routing.AccessFilter;
import io.javalin.config.RoutesConfig;
import io.javalin.websocket.WsContext;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The two WebSocket legs of a tunnel. They are authenticated before the upgrade (a refused one
 * gets a plain HTTP error and no socket), as the agent gateway is, because the route table
 * covers HTTP routes only:
 *
 * <ul>
 *   <li>{@code /api/v1/tunnel/sessions/{id}}: the client (CLI, browser). {@code Authorization: Bearer}
 *       (token or API key), or {@code ?ticket=} from {@code POST /api/v1/tunnel/sessions/{id}/ticket}
 *       for browsers, which cannot set headers on a WebSocket. Only the creator or an admin.</li>
 *   <li>{@code /api/agent/tunnel/{id}}: the agent, with its own credential
 *       ({@code Authorization: Bearer} + {@code X-GuruRMM-Agent-Id}); only the session's agent.</li>
 * </ul>
 *
 * <p>Binary frames over {@link TunnelControl#MAX_BINARY_FRAME} and text frames over
 * {@link TunnelControl#MAX_TEXT_FRAME} are refused by Jetty (close 1009). A malformed control
 * frame is answered with an {@code error} frame and changes nothing; 20 of them close the socket.
 *
 * <p>In a cluster either leg may reach a node other than the session's (through a balancer):
 * that node passes the socket on, frame for frame ({@link RelayedSocket}), and the session's
 * node authenticates it as if it had come directly.
 */
public final class TunnelSockets {
    private static final Logger log = LoggerFactory.getLogger(TunnelSockets.class);
    public static final String CLIENT_PATH = "/api/v1/tunnel/sessions/{id}";
    public static final String AGENT_PATH = "/api/agent/tunnel/{id}";
    private static final String SESSION = "gururmm.tunnel.session";
    private static final String END = "gururmm.tunnel.end";
    private static final String ATTACHED = "gururmm.tunnel.attached";
    private static final String CREDENTIAL = "gururmm.tunnel.credential";
    private static final String RELAYED = "gururmm.tunnel.relayed";
    /** Attached client sockets, re-checked by {@link #recheckClients()}. */
    private final java.util.Set<WsContext> clients = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private static final int MAX_BAD_FRAMES = 20;
    private static final Duration INPUT_WRITE_TIMEOUT = Duration.ofSeconds(30);

    private final TunnelService service;
    private final AccessFilter.Users users;
    private final AccessFilter.Agents agentCredentials;
    private final NodeRelay relay;

    /** @param relay passes on a socket for a session another node holds; null on a single node */
    public TunnelSockets(TunnelService service, AccessFilter.Users users, AccessFilter.Agents agentCredentials, NodeRelay relay) {
        this.service = service;
        this.users = users;
        this.agentCredentials = agentCredentials;
        this.relay = relay;
    }

    public void register(RoutesConfig routes) {
        registerClient(routes);
        registerAgent(routes);
    }

    /**
     * A quiet shell is not a dead connection: the socket outlives the session's own idle timeout
     * (which ends the session with a reason), so Jetty never closes it first.
     */
    private Duration socketIdleTimeout() {
        return service.settings().idleTimeout().plusMinutes(1);
    }

    private static UUID sessionId(String raw) {
        try {
            return UUID.fromString(raw);
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("'" + (raw.length() > 40 ? raw.substring(0, 40) : raw) + "' is not a tunnel session id (a UUID).");
        }
    }

    // ---- client leg ------------------------------------------------------------------------

    private void registerClient(RoutesConfig routes) {
        routes.wsBeforeUpgrade(CLIENT_PATH, ctx -> {
            UUID id = sessionId(ctx.pathParam("id"));
            if (passedOn(ctx, id)) {
                return;
            }
            String ticket = ctx.queryParam("ticket");
            String credential;
            if (ticket != null && ctx.header("Authorization") == null) {
                credential = service.redeem(ticket, id).authorization();
            } else {
                credential = ctx.header("Authorization");
            }
            // The credential itself, not the principal it had: it is checked again while the socket is open.
            ctx.attribute(SESSION, service.attachable(users.authenticate(credential), id));
            ctx.attribute(CREDENTIAL, credential);
        });
        routes.ws(CLIENT_PATH, ws -> {
            ws.onConnect(ctx -> {
                ctx.session.setMaxBinaryMessageSize(TunnelControl.MAX_BINARY_FRAME);
                ctx.session.setMaxTextMessageSize(TunnelControl.MAX_TEXT_FRAME);
                ctx.session.setIdleTimeout(socketIdleTimeout());
                if (relayed(ctx) instanceof RelayedSocket relayed) {
                    relayed.attach(ctx.session);
                    return;
                }
                ctx.attribute(END, new SocketEnd(ctx.session));
                clients.add(ctx);
            });
            ws.onMessage(ctx -> {
                if (relayed(ctx) instanceof RelayedSocket relayed) {
                    relayed.fromDownstream(ctx.message());
                } else {
                    onClientText(ctx, ctx.message());
                }
            });
            ws.onBinaryMessage(ctx -> {
                if (relayed(ctx) instanceof RelayedSocket relayed) {
                    relayed.fromDownstream(ctx.data());
                } else {
                    onClientBytes(ctx, bytes(ctx.data()));
                }
            });
            ws.onClose(ctx -> {
                if (relayed(ctx) instanceof RelayedSocket relayed) {
                    relayed.downstreamClosed(ctx.status(), ctx.reason());
                    return;
                }
                clients.remove(ctx);
                TunnelSession session = ctx.attribute(SESSION);
                SocketEnd end = ctx.attribute(END);
                if (session != null && end != null) {
                    session.clientClosed(end);
                }
            });
            ws.onError(ctx -> log.debug("tunnel client connection error: {}", String.valueOf(ctx.error())));
        });
    }

    /**
     * Authenticates every attached client again with the credential it attached with, and checks
     * it may still use its session (role, scope, owner): revocation is immediate for shells too.
     * A logout, a disabled or deleted account, a lost role or a site removed from the scope ends
     * the session (the shell is killed) within one period of the caller's schedule.
     */
    public void recheckClients() {
        for (WsContext ctx : clients) {
            TunnelSession session = ctx.attribute(SESSION);
            String credential = ctx.attribute(CREDENTIAL);
            if (session == null) {
                continue;
            }
            try {
                service.attachable(users.authenticate(credential), session.id);
            } catch (ApiException refused) {
                if (refused.status() >= 500) {
                    continue; // the database is away for a moment: check again next time
                }
                log.info("tunnel session {}: its user may no longer use it ({}); ending it", session.id, refused.getMessage());
                session.end(null, "access revoked: " + refused.getMessage());
                SocketEnd end = ctx.attribute(END);
                if (end != null) {
                    end.close(1008, "access revoked");
                }
                clients.remove(ctx);
            }
        }
    }

    private void onClientText(WsContext ctx, String frame) {
        TunnelSession session = ctx.attribute(SESSION);
        SocketEnd end = ctx.attribute(END);
        TunnelControl control;
        try {
            control = TunnelControl.decode(frame);
        } catch (ProtocolException e) {
            refuse(end, "malformed_control", e.getMessage() + "; control frames are JSON such as {\"type\":\"resize\",\"cols\":80,\"rows\":24}.");
            return;
        }
        boolean attached = Boolean.TRUE.equals(ctx.attribute(ATTACHED));
        if (!attached && !(control instanceof TunnelControl.Attach)) {
            refuse(end, "attach_required", "The first frame must be {\"type\":\"attach\",\"last_seq\":N} (0 on a first connection).");
            return;
        }
        switch (control) {
            case TunnelControl.Attach attach -> {
                String problem = session.attach(end, attach.lastSeq());
                if (problem != null) {
                    refuse(end, "bad_seq", problem);
                } else {
                    ctx.attribute(ATTACHED, true);
                }
            }
            case TunnelControl.Ack ack -> {
                String problem = session.ack(ack.seq());
                if (problem != null) {
                    refuse(end, "bad_seq", problem);
                }
            }
            case TunnelControl.Resize resize -> {
                String problem = TunnelControl.sizeProblem(resize.cols(), resize.rows());
                if (problem != null) {
                    refuse(end, "bad_size", problem + " The terminal size was not changed.");
                } else {
                    session.resize(resize.cols(), resize.rows());
                }
            }
            case TunnelControl.Close close -> session.end(null, "closed by " + session.creator.name()
                    + (close.reason() == null || close.reason().isBlank() ? "" : ": " + clip(close.reason())));
            default -> refuse(end, "unexpected_control", "A client does not send '" + frame.replaceAll("(?s).*\"type\"\\s*:\\s*\"([a-z_]+)\".*", "$1")
                    + "' frames; it sends attach, ack, resize and close.");
        }
    }

    private static byte[] bytes(ByteBuffer data) {
        ByteBuffer view = data.duplicate();
        byte[] copy = new byte[view.remaining()];
        view.get(copy);
        return copy;
    }

    private void onClientBytes(WsContext ctx, byte[] copy) {
        TunnelSession session = ctx.attribute(SESSION);
        SocketEnd end = ctx.attribute(END);
        if (!Boolean.TRUE.equals(ctx.attribute(ATTACHED)) || !session.isCurrentClient(end)) {
            refuse(end, "attach_required", "Send {\"type\":\"attach\",\"last_seq\":N} before terminal input.");
            return;
        }
        try {
            // Waiting here stops Jetty reading this client's next frame: a fast paste slows to the PTY's pace.
            session.input(copy).get(INPUT_WRITE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            refuse(end, "not_open", "The session is not open; the input was dropped.");
        }
    }

    private static void refuse(SocketEnd end, String code, String message) {
        end.send(new TunnelControl.Error(code, message));
        if (end.countBadFrame() > MAX_BAD_FRAMES) {
            end.close(SocketEnd.POLICY, "too many refused frames");
        }
    }

    private static String clip(String text) {
        return text.length() > 200 ? text.substring(0, 200) : text;
    }

    // ---- relay -------------------------------------------------------------------------------

    /**
     * A socket for a session that another node holds (the client, or the agent, reached this
     * node through a balancer) is passed on to that node: opened there before this upgrade, so
     * that node's refusal is this one's. True if it was.
     */
    private boolean passedOn(io.javalin.http.Context ctx, UUID id) {
        if (relay == null) {
            return false;
        }
        java.util.Optional<OnOtherNode> elsewhere = service.elsewhere(id);
        if (elsewhere.isEmpty()) {
            return false;
        }
        ctx.attribute(RELAYED, relay.openSocket(ctx, elsewhere.get(), TunnelControl.MAX_BINARY_FRAME));
        return true;
    }

    private static RelayedSocket relayed(WsContext ctx) {
        return ctx.attribute(RELAYED);
    }

    // ---- agent leg -------------------------------------------------------------------------

    private void registerAgent(RoutesConfig routes) {
        routes.wsBeforeUpgrade(AGENT_PATH, ctx -> {
            UUID id = sessionId(ctx.pathParam("id"));
            if (passedOn(ctx, id)) {
                return;
            }
            String rawAgent = ctx.header(AccessFilter.AGENT_ID_HEADER);
            String authorization = ctx.header("Authorization");
            String token = authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7) ? authorization.substring(7).trim() : null;
            UUID agentId;
            try {
                agentId = UUID.fromString(rawAgent == null ? "" : rawAgent.trim());
            } catch (IllegalArgumentException e) {
                throw ApiException.unauthorized("Header " + AccessFilter.AGENT_ID_HEADER + " must carry the agent id (a UUID).");
            }
            if (!agentCredentials.authenticate(agentId, token)) {
                throw ApiException.unauthorized("The agent credential is not valid for agent " + agentId + ".");
            }
            ctx.attribute(SESSION, service.forAgent(agentId, id));
        });
        routes.ws(AGENT_PATH, ws -> {
            ws.onConnect(ctx -> {
                TunnelSession session = ctx.attribute(SESSION);
                ctx.session.setMaxBinaryMessageSize(TunnelControl.MAX_BINARY_FRAME);
                ctx.session.setMaxTextMessageSize(TunnelControl.MAX_TEXT_FRAME);
                ctx.session.setIdleTimeout(socketIdleTimeout());
                if (relayed(ctx) instanceof RelayedSocket relayed) {
                    relayed.attach(ctx.session);
                    return;
                }
                SocketEnd end = new SocketEnd(ctx.session);
                ctx.attribute(END, end);
                if (!session.agentConnected(end)) {
                    end.close(SocketEnd.POLICY, "this session is not waiting for the agent");
                    ctx.attribute(SESSION, null);
                }
            });
            ws.onMessage(ctx -> {
                if (relayed(ctx) instanceof RelayedSocket relayed) {
                    relayed.fromDownstream(ctx.message());
                    return;
                }
                TunnelSession session = ctx.attribute(SESSION);
                if (session == null) {
                    return;
                }
                TunnelControl control;
                try {
                    control = TunnelControl.decode(ctx.message());
                } catch (ProtocolException e) {
                    log.info("tunnel session {}: malformed frame from agent {}: {}", session.id, session.agentId, e.getMessage());
                    return;
                }
                switch (control) {
                    case TunnelControl.Ready ready -> session.agentReady(ready);
                    case TunnelControl.Exit exit -> session.end(exit.code(), exit.reason() != null ? clip(exit.reason())
                            : "the shell exited with status " + exit.code());
                    case TunnelControl.Error error -> session.end(null, clip(String.valueOf(error.message())));
                    default -> log.info("tunnel session {}: agent sent an unexpected {} frame", session.id, control.getClass().getSimpleName());
                }
            });
            ws.onBinaryMessage(ctx -> {
                if (relayed(ctx) instanceof RelayedSocket relayed) {
                    relayed.fromDownstream(ctx.data());
                    return;
                }
                TunnelSession session = ctx.attribute(SESSION);
                if (session == null) {
                    return;
                }
                byte[] copy = bytes(ctx.data());
                String problem = session.agentOutput(copy);
                if (problem != null) {
                    log.warn("tunnel session {}: {}; ending it", session.id, problem);
                    session.end(null, problem);
                }
            });
            ws.onClose(ctx -> {
                if (relayed(ctx) instanceof RelayedSocket relayed) {
                    relayed.downstreamClosed(ctx.status(), ctx.reason());
                    return;
                }
                TunnelSession session = ctx.attribute(SESSION);
                if (session != null) {
                    session.end(null, "the agent's tunnel connection closed (" + ctx.status() + ")");
                }
            });
            ws.onError(ctx -> log.debug("tunnel agent connection error: {}", String.valueOf(ctx.error())));
        });
    }
}
