package com.gururmm.server.auth;

import com.gururmm.protocol.api.Auth.ChangePasswordRequest;
import com.gururmm.protocol.api.Auth.LoginRequest;
import com.gururmm.protocol.api.Auth.UserView;
import com.gururmm.server.http.Bodies;
import com.gururmm.server.routing.RouteTable;
import com.gururmm.server.routing.Rule;

/**
 * {@code /api/auth/*}: logging in and out, changing one's password, asking who one is.
 * Authentication of the other routes is {@code AccessFilter}'s.
 */
public final class AuthRoutes {
    private final AuthService auth;
    private final ClientAddress clientAddress;

    public AuthRoutes(AuthService auth, ClientAddress clientAddress) {
        this.auth = auth;
        this.clientAddress = clientAddress;
    }

    public void register(RouteTable routes) {
        routes.post("/api/auth/login", Rule.open("e-mail and password in the body"), "Log in; returns a session token", ctx -> {
            LoginRequest request = Bodies.read(ctx, LoginRequest.class);
            ctx.json(auth.login(request.email(), request.password(), clientAddress.of(ctx)));
        });
        routes.get("/api/auth/me", Rule.role(Role.VIEWER), "The signed-in user", ctx -> {
            Principal p = Access.principal(ctx);
            ctx.json(new UserView(p.userId(), p.name(), p.role().wireName()));
        });
        routes.post("/api/auth/logout", Rule.role(Role.VIEWER).requireSession(), "End this session; its token stops working at once", ctx -> {
            auth.logout(ctx.header("Authorization"));
            ctx.status(204);
        });
        // Session only: a key and the password must not add up to a fresh session that skipped MFA.
        routes.post("/api/auth/password", Rule.role(Role.VIEWER).requireSession(),
                "Change one's password; every session ends and a fresh token is returned", ctx -> {
                    ChangePasswordRequest request = Bodies.read(ctx, ChangePasswordRequest.class);
                    ctx.json(auth.changePassword(Access.principal(ctx), request, clientAddress.of(ctx)));
                });
    }
}
