package com.gururmm.server.audit;

import com.gururmm.server.auth.Access;
import com.gururmm.server.auth.Role;
import com.gururmm.server.http.ApiException;
import com.gururmm.server.http.Bodies;
import com.gururmm.server.routing.RouteTable;
import com.gururmm.server.routing.Rule;

/** {@code GET /api/audit?limit=&before=&action=} (admin). */
public final class AuditRoutes {
    private final AuditLog audit;

    public AuditRoutes(AuditLog audit) {
        this.audit = audit;
    }

    public void register(RouteTable routes) {
        routes.get("/api/audit", Rule.role(Role.ADMIN), "The audit log, newest first", ctx -> {
            int limit = parseInt(ctx.queryParam("limit"), 100, "limit");
            if (limit < 1 || limit > 1000) {
                throw ApiException.badRequest("'limit' must be between 1 and 1000.");
            }
            String before = ctx.queryParam("before");
            Long beforeId = before == null ? null : (long) parseInt(before, 0, "before");
            ctx.json(audit.list(limit, beforeId, Bodies.query(ctx, "action")));
        });
    }

    static int parseInt(String value, int fallback, String name) {
        if (value == null || value.isBlank()) {
            return fallback;
        }
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw ApiException.badRequest("'" + name + "' must be a whole number; got '" + Bodies.truncate(value) + "'.");
        }
    }
}
