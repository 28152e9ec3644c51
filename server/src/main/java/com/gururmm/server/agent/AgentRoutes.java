package com.gururmm.server.agent;

import com.gururmm.protocol.api.Agents.EnrollRequest;
import com.gururmm.server.auth.Access;
import com.gururmm.server.auth.Role;
import com.gururmm.server.http.Bodies;
import io.javalin.config.RoutesConfig;

/** {@code /api/agents} (any signed-in role) and {@code POST /api/agent/enroll} (enrollment token). */
public final class AgentRoutes {
    private final AgentService agents;

    public AgentRoutes(AgentService agents) {
        this.agents = agents;
    }

    public void register(RoutesConfig routes) {
        routes.get("/api/agents", ctx -> {
            Access.require(ctx, Role.VIEWER);
            ctx.json(agents.list(Bodies.query(ctx, "status"), Bodies.query(ctx, "os"), Bodies.query(ctx, "site"), Bodies.query(ctx, "hostname")));
        });
        routes.get("/api/agents/{id}", ctx -> {
            Access.require(ctx, Role.VIEWER);
            ctx.json(agents.get(Bodies.uuidParam(ctx, "id")));
        });
        routes.post("/api/agent/enroll", ctx -> {
            EnrollRequest request = Bodies.read(ctx, EnrollRequest.class);
            ctx.json(agents.enroll(request, ctx.ip()));
        });
    }
}
