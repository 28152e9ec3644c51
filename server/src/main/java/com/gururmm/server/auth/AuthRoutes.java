package com.gururmm.server.auth;

import com.gururmm.protocol.api.Auth.LoginRequest;
import com.gururmm.protocol.api.Auth.UserView;
import com.gururmm.server.http.Bodies;
import com.gururmm.server.routing.RouteTable;
import com.gururmm.server.routing.Rule;

/** {@code /api/auth/*}: logging in and asking who one is. Authentication of the other routes is {@code AccessFilter}'s. */
public final class AuthRoutes {
    private final AuthService auth;

    public AuthRoutes(AuthService auth) {
        this.auth = auth;
    }

    public void register(RouteTable routes) {
        routes.post("/api/auth/login", Rule.open("e-mail and password in the body"), "Log in; returns a session token", ctx -> {
            LoginRequest request = Bodies.read(ctx, LoginRequest.class);
            ctx.json(auth.login(request.email(), request.password(), ctx.ip()));
        });
        routes.get("/api/auth/me", Rule.role(Role.VIEWER), "The signed-in user", ctx -> {
            Principal p = Access.principal(ctx);
            ctx.json(new UserView(p.userId(), p.name(), p.role().wireName()));
        });
    }
}
