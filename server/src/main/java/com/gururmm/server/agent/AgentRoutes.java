package com.gururmm.server.agent;

import com.gururmm.protocol.api.Agents.AgentDetail;
import com.gururmm.protocol.api.Agents.AgentSummary;
import com.gururmm.protocol.api.Agents.EnrollRequest;
import com.gururmm.protocol.api.Agents.UpdateAgentRequest;
import com.gururmm.server.tenancy.TenancyService;
import com.gururmm.server.auth.Access;
import com.gururmm.server.auth.Principal;
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
    private java.util.function.Function<java.util.Collection<java.util.UUID>,
            java.util.Map<java.util.UUID, com.gururmm.protocol.api.Metrics.LatestMetrics>> latestMetrics = ids -> java.util.Map.of();
    private final TenancyService tenancy;

    public AgentRoutes(AgentService agents, ClientAddress clientAddress, TenancyService tenancy) {
        this.agents = agents;
        this.clientAddress = clientAddress;
        this.tenancy = tenancy;
    }

    /** Where the listing and the detail get each agent's newest metrics sample (one query for the whole page). */
    public AgentRoutes latestMetrics(java.util.function.Function<java.util.Collection<java.util.UUID>,
            java.util.Map<java.util.UUID, com.gururmm.protocol.api.Metrics.LatestMetrics>> source) {
        this.latestMetrics = source;
        return this;
    }

    public void register(RouteTable routes) {
        routes.get("/api/agents", Rule.role(Role.VIEWER),
                "List agents in the caller's scope (filters: status, os, site name, client_id, site_id, hostname glob; include_retired=true)", ctx -> {
            Principal caller = Access.principal(ctx);
            boolean uid = seesMachineUid(caller);
            var listed = agents.list(Bodies.query(ctx, "status"), Bodies.query(ctx, "os"), Bodies.query(ctx, "site"),
                    Bodies.query(ctx, "hostname"), uuidQuery(ctx, "client_id"), uuidQuery(ctx, "site_id"),
                    flag(Bodies.query(ctx, "include_retired")), caller.scope());
            var latest = latestMetrics.apply(listed.stream().map(AgentSummary::id).toList());
            ctx.json(listed.stream().map(a -> uid ? a : withoutMachineUid(a)).map(a -> a.withMetrics(latest.get(a.id()))).toList());
        });
        routes.patch("/api/agents/{id}", Rule.role(Role.ADMIN).onAgent("id"), "Move an agent to another site (body {\"site_id\"}); audited", ctx -> {
            UpdateAgentRequest request = Bodies.read(ctx, UpdateAgentRequest.class);
            var site = tenancy.requireSite(request.siteId(), "site_id");
            ctx.json(agents.moveToSite(Access.principal(ctx), Bodies.uuidParam(ctx, "id"), site));
        });
        routes.get("/api/agents/{id}", Rule.role(Role.VIEWER).onAgent("id"), "One agent with its inventory", ctx -> {
            AgentDetail agent = agents.get(Bodies.uuidParam(ctx, "id"));
            agent = agent.withMetrics(latestMetrics.apply(java.util.List.of(agent.id())).get(agent.id()));
            ctx.json(seesMachineUid(Access.principal(ctx)) ? agent : withoutMachineUid(agent));
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

    /**
     * A machine id plus any enrollment token is what it takes to enroll as that machine, so it is
     * shown to those who operate machines (technician and admin), not to viewers.
     */
    static boolean seesMachineUid(Principal caller) {
        return caller.role().includes(Role.TECHNICIAN);
    }

    private static AgentSummary withoutMachineUid(AgentSummary a) {
        return new AgentSummary(a.id(), a.hostname(), a.os(), a.arch(), a.version(), a.channel(), a.status(), a.lastSeen(),
                null, a.site(), a.serverHost(), a.siteId(), a.clientId(), a.clientName(), a.metrics());
    }

    private static AgentDetail withoutMachineUid(AgentDetail a) {
        return new AgentDetail(a.id(), a.hostname(), a.os(), a.arch(), a.version(), a.channel(), a.status(), a.lastSeen(),
                null, a.site(), a.deviceId(), a.osVersion(), a.ipAddresses(), a.loggedOnUsers(), a.health(), a.enrolledAt(),
                a.enrollCount(), a.update(), a.serverHost(), a.heldCommands(), a.holdReason(), a.siteId(), a.clientId(), a.clientName(), a.metrics());
    }

    /** An optional UUID query parameter; 400 naming it when it is not a UUID. */
    public static java.util.UUID uuidQuery(io.javalin.http.Context ctx, String name) {
        String raw = Bodies.query(ctx, name);
        if (raw == null || raw.isBlank()) {
            return null;
        }
        try {
            return java.util.UUID.fromString(raw.trim());
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("'" + name + "' must be a UUID; got '" + Bodies.truncate(raw) + "'.");
        }
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
