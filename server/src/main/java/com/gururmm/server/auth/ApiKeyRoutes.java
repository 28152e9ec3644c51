package com.gururmm.server.auth;

import com.gururmm.protocol.api.ApiKeys.CreateRequest;
import com.gururmm.server.http.ApiException;
import com.gururmm.server.http.Bodies;
import com.gururmm.server.routing.RouteTable;
import com.gururmm.server.routing.Rule;

/** {@code /api/api-keys}: a user's own API keys (docs/OPERATIONS.md, "API keys"); {@link ApiKeyService} has the rules. */
public final class ApiKeyRoutes {
    private final ApiKeyService keys;
    private final ClientAddress clientAddress;

    public ApiKeyRoutes(ApiKeyService keys, ClientAddress clientAddress) {
        this.keys = keys;
        this.clientAddress = clientAddress;
    }

    public void register(RouteTable routes) {
        // Session only: a key cannot mint keys (each would outlive the revocation of the one that made it).
        routes.post("/api/api-keys", Rule.role(Role.VIEWER).requireSession(),
                "Create an API key ({\"name\", \"expires_in_days\"|\"expires_at\", \"role\", \"scope\"}); the key is shown once", ctx ->
                        ctx.status(201).json(keys.create(Access.principal(ctx), Bodies.read(ctx, CreateRequest.class), clientAddress.of(ctx))));
        routes.get("/api/api-keys", Rule.role(Role.VIEWER), "Your API keys (admins: ?all=true for everyone's); never the secrets", ctx ->
                ctx.json(keys.list(Access.principal(ctx), flag(Bodies.query(ctx, "all")))));
        routes.delete("/api/api-keys/{id}", Rule.role(Role.VIEWER), "Revoke an API key (yours, or any as admin); it stops working at once",
                ctx -> {
                    keys.revoke(Access.principal(ctx), Bodies.uuidParam(ctx, "id"));
                    ctx.status(204);
                });
    }

    private static boolean flag(String value) {
        if (value == null || value.equals("false")) {
            return false;
        }
        if (value.equals("true")) {
            return true;
        }
        throw ApiException.badRequest("'all' must be true or false; got '" + Bodies.truncate(value) + "'.");
    }
}
