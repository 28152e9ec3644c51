package com.gururmm.server.auth;

import com.gururmm.protocol.api.Auth.CreateUserRequest;
import com.gururmm.server.http.Bodies;
import io.javalin.config.RoutesConfig;

/** {@code /api/users} (admin): create and list the people who use GuruRMM. */
public final class UserRoutes {
    private final AuthService auth;

    public UserRoutes(AuthService auth) {
        this.auth = auth;
    }

    public void register(RoutesConfig routes) {
        routes.post("/api/users", ctx -> {
            Principal actor = Access.require(ctx, Role.ADMIN);
            ctx.status(201).json(auth.createUser(actor, Bodies.read(ctx, CreateUserRequest.class)));
        });
        routes.get("/api/users", ctx -> {
            Access.require(ctx, Role.ADMIN);
            ctx.json(auth.listUsers());
        });
    }
}
