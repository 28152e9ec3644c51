package com.gururmm.server.tunnel;

import com.gururmm.protocol.api.Tunnel.SessionRequest;
import com.gururmm.server.auth.Access;
import com.gururmm.server.auth.Role;
import com.gururmm.server.http.ApiException;
import com.gururmm.server.http.Bodies;
import com.gururmm.server.routing.RouteTable;
import com.gururmm.server.routing.Rule;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;

/**
 * HTTP routes of the tunnel (the WebSocket legs are {@link TunnelSockets}). Opening is for
 * technicians and up; the agent's scope rule is applied by the service because the agent is
 * named in the body, not the path. Everyone else's sessions are visible to admins only.
 */
public final class TunnelRoutes {
    private final TunnelService service;

    public TunnelRoutes(TunnelService service) {
        this.service = service;
    }

    public void register(RouteTable routes) {
        routes.post("/api/v1/tunnel/sessions", Rule.role(Role.TECHNICIAN),
                "Open an interactive shell on an agent (body: {\"agent_id\",\"context\"?,\"cols\",\"rows\"}); answers with the WebSocket path and a ticket",
                ctx -> ctx.status(201).json(service.open(Access.principal(ctx), ctx.header("Authorization"), Bodies.read(ctx, SessionRequest.class))));
        routes.get("/api/v1/tunnel/sessions", Rule.role(Role.TECHNICIAN),
                "Tunnel sessions, newest first (yours; an admin sees everyone's); ?agent_id= and ?limit=", ctx -> {
            String agent = Bodies.query(ctx, "agent_id");
            UUID agentId = null;
            if (agent != null && !agent.isBlank()) {
                try {
                    agentId = UUID.fromString(agent.trim());
                } catch (IllegalArgumentException e) {
                    throw ApiException.badRequest("agent_id must be an agent id (a UUID); got '" + Bodies.truncate(agent) + "'.");
                }
            }
            ctx.json(service.list(Access.principal(ctx), agentId, Bodies.limit(ctx)));
        });
        routes.post("/api/v1/tunnel/sessions/{id}/ticket", Rule.role(Role.TECHNICIAN),
                "A single-use ticket (30 s) for the session's WebSocket, for browsers that cannot send Authorization on it",
                ctx -> ctx.json(service.ticket(Access.principal(ctx), ctx.header("Authorization"), Bodies.uuidParam(ctx, "id"))));
        routes.post("/api/v1/tunnel/sessions/{id}/close", Rule.role(Role.TECHNICIAN),
                "End a session now: the shell's process tree is killed", ctx -> {
            service.close(Access.principal(ctx), Bodies.uuidParam(ctx, "id"));
            ctx.status(204);
        });
        routes.get("/api/v1/tunnel/sessions/{id}/recording", Rule.role(Role.TECHNICIAN),
                "The session's transcript in asciicast v2 (its creator or an admin)", ctx -> {
            Path file = service.recording(Access.principal(ctx), Bodies.uuidParam(ctx, "id"));
            ctx.contentType("application/x-asciicast");
            ctx.header("Content-Disposition", "attachment; filename=\"" + file.getFileName() + "\"");
            try {
                InputStream in = Files.newInputStream(file);
                ctx.result(in);
            } catch (IOException e) {
                throw ApiException.notFound("recording of tunnel session", Bodies.uuidParam(ctx, "id"));
            }
        });
    }
}
