package com.gururmm.server.auth;

import com.gururmm.protocol.api.Auth.CreateUserRequest;
import com.gururmm.protocol.api.Auth.ResetPasswordRequest;
import com.gururmm.protocol.api.Auth.UpdateUserRequest;
import com.gururmm.server.http.Bodies;
import com.gururmm.server.routing.RouteTable;
import com.gururmm.server.routing.Rule;

/** {@code /api/users} (admin): create, list, disable, re-role and delete the people who use GuruRMM. */
public final class UserRoutes {
    private final AuthService auth;

    public UserRoutes(AuthService auth) {
        this.auth = auth;
    }

    public void register(RouteTable routes) {
        routes.post("/api/users", Rule.role(Role.ADMIN), "Create a user", ctx -> {
            Principal actor = Access.principal(ctx);
            ctx.status(201).json(auth.createUser(actor, Bodies.read(ctx, CreateUserRequest.class)));
        });
        routes.get("/api/users", Rule.role(Role.ADMIN), "List users", ctx -> {
            ctx.json(auth.listUsers());
        });
        routes.get("/api/users/{id}", Rule.role(Role.ADMIN), "One user with their role and scope", ctx -> {
            ctx.json(auth.admin().get(Bodies.uuidParam(ctx, "id")));
        });
        routes.post("/api/users/{id}/reset-password", Rule.role(Role.ADMIN),
                "Set a user's password (body {\"password\"}) or generate one, shown once; their sessions end", ctx -> {
                    ResetPasswordRequest request = Bodies.readOptional(ctx, ResetPasswordRequest.class, new ResetPasswordRequest(null));
                    ctx.json(auth.admin().resetPassword(Access.principal(ctx), Bodies.uuidParam(ctx, "id"), request));
                });
        routes.patch("/api/users/{id}", Rule.role(Role.ADMIN),
                "Disable/enable a user, change their role or scope (disabling ends their sessions at once)", ctx -> {
                    ctx.json(auth.admin().update(Access.principal(ctx), Bodies.uuidParam(ctx, "id"), Bodies.read(ctx, UpdateUserRequest.class)));
                });
        routes.delete("/api/users/{id}", Rule.role(Role.ADMIN), "Delete a user; their sessions end at once", ctx -> {
            auth.admin().delete(Access.principal(ctx), Bodies.uuidParam(ctx, "id"));
            ctx.status(204);
        });
    }
}
