package com.gururmm.server.auth;

import com.gururmm.server.http.ApiException;
import io.javalin.http.Context;

/** Per-route authorization: the authentication filter stores the principal, routes demand a role. */
public final class Access {
    private static final String ATTRIBUTE = "gururmm.principal";

    private Access() {
    }

    static void attach(Context ctx, Principal principal) {
        ctx.attribute(ATTRIBUTE, principal);
    }

    public static Principal principal(Context ctx) {
        Principal principal = ctx.attribute(ATTRIBUTE);
        if (principal == null) {
            throw ApiException.unauthorized("This route needs a bearer token.");
        }
        return principal;
    }

    /** The caller, if their role includes {@code needed}; 403 otherwise. */
    public static Principal require(Context ctx, Role needed) {
        Principal principal = principal(ctx);
        if (!principal.role().includes(needed)) {
            throw ApiException.forbidden("This needs the " + needed.wireName() + " role; you are " + principal.role().wireName() + ".");
        }
        return principal;
    }
}
