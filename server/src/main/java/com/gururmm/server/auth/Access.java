package com.gururmm.server.auth;

import com.gururmm.server.http.ApiException;
import io.javalin.http.Context;

/** The authenticated caller of a request, stored by {@code routing.AccessFilter} once its route's rule is met. */
public final class Access {
    private static final String ATTRIBUTE = "gururmm.principal";

    private Access() {
    }

    /** Called by the access filter once the bearer token is verified. */
    public static void attach(Context ctx, Principal principal) {
        ctx.attribute(ATTRIBUTE, principal);
    }

    public static Principal principal(Context ctx) {
        Principal principal = ctx.attribute(ATTRIBUTE);
        if (principal == null) {
            throw ApiException.unauthorized("This route needs a bearer token.");
        }
        return principal;
    }
}
