package com.gururmm.server.agentevent;

import com.gururmm.server.agent.AgentService;
import com.gururmm.server.auth.Role;
import com.gururmm.server.http.ApiException;
import com.gururmm.server.http.Bodies;
import com.gururmm.server.routing.RouteTable;
import com.gururmm.server.routing.Rule;
import java.util.UUID;

/** {@code GET /api/agents/{id}/events?kind=&limit=} (viewer, agent scope): the events an agent reported, newest first. */
public final class AgentEventRoutes {
    private final AgentEventService events;
    private final AgentService agents;

    public AgentEventRoutes(AgentEventService events, AgentService agents) {
        this.events = events;
        this.agents = agents;
    }

    public void register(RouteTable routes) {
        routes.get("/api/agents/{id}/events", Rule.role(Role.VIEWER).onAgent("id"),
                "Events the agent reported (Windows bugchecks, unexpected shutdowns), newest first", ctx -> {
                    UUID agentId = Bodies.uuidParam(ctx, "id");
                    agents.require(agentId);
                    String limit = ctx.queryParam("limit");
                    int n;
                    try {
                        n = limit == null || limit.isBlank() ? 100 : Integer.parseInt(limit.trim());
                    } catch (NumberFormatException e) {
                        throw ApiException.badRequest("'limit' must be a whole number; got '" + Bodies.truncate(limit) + "'.");
                    }
                    ctx.json(events.list(agentId, Bodies.query(ctx, "kind"), n));
                });
    }
}
