package com.gururmm.server.agent;

import com.gururmm.protocol.api.Agents.EnrollRequest;
import com.gururmm.server.auth.Access;
import com.gururmm.server.auth.ClientAddress;
import com.gururmm.server.auth.Role;
import com.gururmm.server.http.ApiException;
import com.gururmm.server.http.Bodies;
import com.gururmm.server.routing.RouteTable;
import com.gururmm.server.routing.Rule;

/** {@code /api/agents} (any signed-in role; retiring: admin) and {@code POST /api/agent/enroll} (enrollment token). */
public final class AgentRoutes {
    private final AgentService agents;
    private final ClientAddress clientAddress;

    public AgentRoutes(AgentService agents, ClientAddress clientAddress) {
        this.agents = agents;
        this.clientAddress = clientAddress;
    }

    public void register(RouteTable routes) {
        routes.get("/api/agents", Rule.role(Role.VIEWER), "List agents (filters: status, os, site, hostname glob; include_retired=true)", ctx -> {
            ctx.json(agents.list(ctx.queryParam("status"), ctx.queryParam("os"), ctx.queryParam("site"), ctx.queryParam("hostname"),
                    flag(ctx.queryParam("include_retired"))));
        });
        routes.get("/api/agents/{id}", Rule.role(Role.VIEWER), "One agent with its inventory", ctx -> {
            ctx.json(agents.get(Bodies.uuidParam(ctx, "id")));
        });
        routes.delete("/api/agents/{id}", Rule.role(Role.ADMIN).onAgent("id"),
                "Retire an agent: its credential is revoked and its connection closed; its history is kept", ctx -> {
                    agents.retire(Access.principal(ctx), Bodies.uuidParam(ctx, "id"));
                    ctx.status(204);
                });
        routes.post("/api/agent/enroll", Rule.open("the enrollment token in the body"), "Enroll a machine (agent)", ctx -> {
            EnrollRequest request = Bodies.read(ctx, EnrollRequest.class);
            ctx.json(agents.enroll(request, clientAddress.of(ctx)));
        });
    }

    private static boolean flag(String value) {
        if (value == null || value.equals("false")) {
            return false;
        }
        if (value.equals("true")) {
            return true;
        }
        throw ApiException.badRequest("'include_retired' must be true or false; got '" + Bodies.truncate(value) + "'.");
    }
}
