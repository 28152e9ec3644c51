package com.gururmm.server.enrollment;

import com.gururmm.protocol.api.EnrollmentTokens.CreateRequest;
import com.gururmm.server.auth.Access;
import com.gururmm.server.auth.Role;
import com.gururmm.server.http.Bodies;
import com.gururmm.server.routing.RouteTable;
import com.gururmm.server.routing.Rule;

/** {@code /api/enrollment-tokens} (admin only: a token lets a machine join the fleet). */
public final class EnrollmentTokenRoutes {
    private final EnrollmentTokenService service;

    public EnrollmentTokenRoutes(EnrollmentTokenService service) {
        this.service = service;
    }

    public void register(RouteTable routes) {
        routes.post("/api/enrollment-tokens", Rule.role(Role.ADMIN), "Create an enrollment token", ctx -> {
            var actor = Access.principal(ctx);
            CreateRequest request = Bodies.readOptional(ctx, CreateRequest.class, new CreateRequest(null, null, null, null));
            ctx.status(201).json(service.create(actor, request));
        });
        routes.get("/api/enrollment-tokens", Rule.role(Role.ADMIN), "List enrollment tokens (filters: client_id, site_id)", ctx -> {
            ctx.json(service.list(com.gururmm.server.agent.AgentRoutes.uuidQuery(ctx, "client_id"),
                    com.gururmm.server.agent.AgentRoutes.uuidQuery(ctx, "site_id")));
        });
        routes.delete("/api/enrollment-tokens/{id}", Rule.role(Role.ADMIN), "Revoke an enrollment token", ctx -> {
            var actor = Access.principal(ctx);
            service.revoke(actor, Bodies.uuidParam(ctx, "id"));
            ctx.status(204);
        });
    }
}
