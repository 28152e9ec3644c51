package com.gururmm.server.enrollment;

import com.gururmm.protocol.api.EnrollmentTokens.CreateRequest;
import com.gururmm.server.auth.Access;
import com.gururmm.server.auth.Role;
import com.gururmm.server.http.Bodies;
import io.javalin.config.RoutesConfig;

/** {@code /api/enrollment-tokens} (admin only: a token lets a machine join the fleet). */
public final class EnrollmentTokenRoutes {
    private final EnrollmentTokenService service;

    public EnrollmentTokenRoutes(EnrollmentTokenService service) {
        this.service = service;
    }

    public void register(RoutesConfig routes) {
        routes.post("/api/enrollment-tokens", ctx -> {
            var actor = Access.require(ctx, Role.ADMIN);
            CreateRequest request = Bodies.readOptional(ctx, CreateRequest.class, new CreateRequest(null, null, null));
            ctx.status(201).json(service.create(actor, request));
        });
        routes.get("/api/enrollment-tokens", ctx -> {
            Access.require(ctx, Role.ADMIN);
            ctx.json(service.list());
        });
        routes.delete("/api/enrollment-tokens/{id}", ctx -> {
            var actor = Access.require(ctx, Role.ADMIN);
            service.revoke(actor, Bodies.uuidParam(ctx, "id"));
            ctx.status(204);
        });
    }
}
