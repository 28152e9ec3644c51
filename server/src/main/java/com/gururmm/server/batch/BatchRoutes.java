package com.gururmm.server.batch;

import com.gururmm.protocol.api.Batches.BatchRequest;
import com.gururmm.server.auth.Access;
import com.gururmm.server.auth.Role;
import com.gururmm.server.http.ApiException;
import com.gururmm.server.http.Bodies;
import com.gururmm.server.routing.RouteTable;
import com.gururmm.server.routing.Rule;

/** Bulk commands: technicians submit, every role reads progress. */
public final class BatchRoutes {
    private final BatchService batches;

    public BatchRoutes(BatchService batches) {
        this.batches = batches;
    }

    public void register(RouteTable routes) {
        routes.post("/api/commands", Rule.role(Role.TECHNICIAN).changesNoCaller(), "Run one command on many agents (a batch)", ctx -> {
            var actor = Access.principal(ctx);
            ctx.status(201).json(batches.submit(actor, Bodies.read(ctx, BatchRequest.class)));
        });
        routes.get("/api/batches/{id}", Rule.role(Role.VIEWER).onBatch("id"), "A batch's progress and results", ctx -> {
            ctx.json(batches.get(Bodies.uuidParam(ctx, "id"), includeResults(ctx.queryParam("results"))));
        });
    }

    private static boolean includeResults(String raw) {
        if (raw == null || raw.equals("true")) {
            return true;
        }
        if (raw.equals("false")) {
            return false;
        }
        throw ApiException.badRequest("'results' must be true or false; got '" + Bodies.truncate(raw) + "'.");
    }
}
