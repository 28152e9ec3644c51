package com.gururmm.server.command;

import com.gururmm.protocol.api.Commands.CommandRequest;
import com.gururmm.server.auth.Access;
import com.gururmm.server.auth.Role;
import com.gururmm.server.http.ApiException;
import com.gururmm.server.http.Bodies;
import io.javalin.config.RoutesConfig;

/** Command routes: technicians run and cancel, every role reads. */
public final class CommandRoutes {
    private final CommandService commands;

    public CommandRoutes(CommandService commands) {
        this.commands = commands;
    }

    public void register(RoutesConfig routes) {
        routes.post("/api/agents/{id}/command", ctx -> {
            var actor = Access.require(ctx, Role.TECHNICIAN);
            var agentId = Bodies.uuidParam(ctx, "id");
            CommandRequest request = Bodies.read(ctx, CommandRequest.class);
            ctx.status(201).json(commands.submit(actor, agentId, request));
        });
        routes.get("/api/agents/{id}/commands", ctx -> {
            Access.require(ctx, Role.VIEWER);
            int limit = parseLimit(ctx.queryParam("limit"));
            ctx.json(commands.listForAgent(Bodies.uuidParam(ctx, "id"), Bodies.query(ctx, "status"), limit));
        });
        routes.get("/api/commands/{id}", ctx -> {
            Access.require(ctx, Role.VIEWER);
            ctx.json(commands.get(Bodies.uuidParam(ctx, "id")));
        });
        routes.post("/api/commands/{id}/cancel", ctx -> {
            var actor = Access.require(ctx, Role.TECHNICIAN);
            var id = Bodies.uuidParam(ctx, "id");
            commands.cancel(actor, id);
            ctx.json(commands.get(id));
        });
    }

    private static int parseLimit(String raw) {
        if (raw == null || raw.isBlank()) {
            return 100;
        }
        try {
            int limit = Integer.parseInt(raw);
            if (limit >= 1 && limit <= 1000) {
                return limit;
            }
        } catch (NumberFormatException ignored) {
            // fall through to the error below
        }
        throw ApiException.badRequest("'limit' must be a whole number between 1 and 1000; got '" + raw + "'.");
    }
}
