package com.gururmm.server.agent;

import com.gururmm.protocol.api.Agents.EnrollRequest;
import com.gururmm.server.auth.Access;
import com.gururmm.server.auth.Role;
import com.gururmm.server.http.Bodies;
import com.gururmm.server.routing.RouteTable;
import com.gururmm.server.routing.Rule;

/** {@code /api/agents} (any signed-in role) and {@code POST /api/agent/enroll} (enrollment token). */
public final class AgentRoutes {
    private final AgentService agents;

    public AgentRoutes(AgentService agents) {
        this.agents = agents;
    }

    public void register(RouteTable routes) {
        routes.get("/api/agents", Rule.role(Role.VIEWER), "List agents (filters: status, os, site, hostname glob)", ctx -> {
            ctx.json(agents.list(ctx.queryParam("status"), ctx.queryParam("os"), ctx.queryParam("site"), ctx.queryParam("hostname")));
        });
        routes.get("/api/agents/{id}", Rule.role(Role.VIEWER), "One agent with its inventory", ctx -> {
            ctx.json(agents.get(Bodies.uuidParam(ctx, "id")));
        });
        routes.post("/api/agent/enroll", Rule.open("the enrollment token in the body"), "Enroll a machine (agent)", ctx -> {
            EnrollRequest request = Bodies.read(ctx, EnrollRequest.class);
            ctx.json(agents.enroll(request, ctx.ip()));
        });
    }
}
