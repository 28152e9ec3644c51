package com.gururmm.server.auth;

import com.gururmm.protocol.api.Auth.LoginRequest;
import com.gururmm.protocol.api.Auth.UserView;
import com.gururmm.server.http.Bodies;
import io.javalin.config.RoutesConfig;
import java.util.Set;

/** {@code /api/auth/*} and the filter that authenticates every other {@code /api} route. */
public final class AuthRoutes {
    /** Routes that authenticate by other means (a password, an enrollment token). */
    private static final Set<String> PUBLIC_API_PATHS = Set.of("/api/auth/login", "/api/agent/enroll");

    private final AuthService auth;

    public AuthRoutes(AuthService auth) {
        this.auth = auth;
    }

    public void register(RoutesConfig routes) {
        routes.before("/api/*", ctx -> {
            if (PUBLIC_API_PATHS.contains(ctx.path()) || ctx.method().name().equals("OPTIONS")) {
                return;
            }
            Access.attach(ctx, auth.authenticate(ctx.header("Authorization")));
        });
        routes.post("/api/auth/login", ctx -> {
            LoginRequest request = Bodies.read(ctx, LoginRequest.class);
            ctx.json(auth.login(request.email(), request.password(), ctx.ip()));
        });
        routes.get("/api/auth/me", ctx -> {
            Principal p = Access.principal(ctx);
            ctx.json(new UserView(p.userId(), p.name(), p.role().wireName()));
        });
    }
}
