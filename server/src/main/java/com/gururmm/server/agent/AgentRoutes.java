package com.gururmm.server.agent;

import com.gururmm.protocol.api.Agents.AgentDetail;
import com.gururmm.protocol.api.Agents.AgentSummary;
import com.gururmm.protocol.api.Agents.EnrollRequest;
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

    public AgentRoutes(AgentService agents, ClientAddress clientAddress) {
        this.agents = agents;
        this.clientAddress = clientAddress;
    }

    /** Where the listing and the detail get each agent's newest metrics sample (one query for the whole page). */
    public AgentRoutes latestMetrics(java.util.function.Function<java.util.Collection<java.util.UUID>,
            java.util.Map<java.util.UUID, com.gururmm.protocol.api.Metrics.LatestMetrics>> source) {
        this.latestMetrics = source;
        return this;
    }

    public void register(RouteTable routes) {
        routes.get("/api/agents", Rule.role(Role.VIEWER), "List agents (filters: status, os, site, hostname glob; include_retired=true)", ctx -> {
            boolean uid = seesMachineUid(Access.principal(ctx));
            var listed = agents.list(Bodies.query(ctx, "status"), Bodies.query(ctx, "os"), Bodies.query(ctx, "site"),
                    Bodies.query(ctx, "hostname"), flag(Bodies.query(ctx, "include_retired")));
            var latest = latestMetrics.apply(listed.stream().map(AgentSummary::id).toList());
            ctx.json(listed.stream().map(a -> uid ? a : withoutMachineUid(a)).map(a -> a.withMetrics(latest.get(a.id()))).toList());
        });
        routes.get("/api/agents/{id}", Rule.role(Role.VIEWER), "One agent with its inventory", ctx -> {
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
                null, a.site(), a.serverHost(), a.metrics());
    }

    private static AgentDetail withoutMachineUid(AgentDetail a) {
        return new AgentDetail(a.id(), a.hostname(), a.os(), a.arch(), a.version(), a.channel(), a.status(), a.lastSeen(),
                null, a.site(), a.deviceId(), a.osVersion(), a.ipAddresses(), a.loggedOnUsers(), a.health(), a.enrolledAt(),
                a.enrollCount(), a.update(), a.serverHost(), a.heldCommands(), a.holdReason(), a.metrics());
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
