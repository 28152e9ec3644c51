package com.gururmm.server.command;

import com.gururmm.protocol.api.Agents.HeldCommandsRequest;
import com.gururmm.protocol.api.Commands.CommandRequest;
import com.gururmm.server.auth.Access;
import com.gururmm.server.auth.Role;
import com.gururmm.server.http.ApiException;
import com.gururmm.server.http.Bodies;
import com.gururmm.server.routing.RouteTable;
import com.gururmm.server.routing.Rule;

/** Command routes: technicians run and cancel, every role reads, admins decide on held commands. */
public final class CommandRoutes {
    private final CommandService commands;
    private final CommandWaits waits;

    public CommandRoutes(CommandService commands, CommandWaits waits) {
        this.commands = commands;
        this.waits = waits;
    }

    public void register(RouteTable routes) {
        routes.post("/api/agents/{id}/command", Rule.role(Role.TECHNICIAN).onAgent("id").changesNoCaller(), "Run a command on an agent", ctx -> {
            var actor = Access.principal(ctx);
            var agentId = Bodies.uuidParam(ctx, "id");
            CommandRequest request = Bodies.read(ctx, CommandRequest.class);
            ctx.status(201).json(commands.submit(actor, agentId, request));
        });
        routes.get("/api/agents/{id}/commands", Rule.role(Role.VIEWER).onAgent("id"), "An agent's command history", ctx -> {
            int limit = parseLimit(ctx.queryParam("limit"));
            ctx.json(commands.listForAgent(Bodies.uuidParam(ctx, "id"), Bodies.query(ctx, "status"), limit));
        });
        routes.get("/api/commands/{id}", Rule.role(Role.VIEWER).onCommand("id"),
                "One command and its result; ?wait=SECONDS (at most " + CommandWaits.MAX_WAIT_SECONDS
                        + ") answers once it leaves queued/running, or at the deadline with its current state", ctx -> {
            var id = Bodies.uuidParam(ctx, "id");
            int wait = parseWait(Bodies.query(ctx, "wait"));
            ctx.json(wait == 0 ? commands.get(id) : waits.await(id, java.time.Duration.ofSeconds(wait), () -> commands.get(id)));
        });
        routes.post("/api/commands/{id}/cancel", Rule.role(Role.TECHNICIAN).onCommand("id").changesNoCaller(), "Cancel a queued or running command", ctx -> {
            var actor = Access.principal(ctx);
            var id = Bodies.uuidParam(ctx, "id");
            commands.cancel(actor, id);
            ctx.json(commands.get(id));
        });
        // Commands held at re-enrolment wait for an admin: the party that enrolled may be an impostor.
        routes.post("/api/agents/{id}/held-commands/release", Rule.role(Role.ADMIN).onAgent("id"),
                "Release commands held at re-enrolment to the agent's current identity (body: {\"command_ids\"?})", ctx -> {
            HeldCommandsRequest request = Bodies.readOptional(ctx, HeldCommandsRequest.class, new HeldCommandsRequest(null));
            ctx.json(commands.decideHeld(Access.principal(ctx), Bodies.uuidParam(ctx, "id"), request.commandIds(), true));
        });
        routes.post("/api/agents/{id}/held-commands/discard", Rule.role(Role.ADMIN).onAgent("id"),
                "Discard (cancel) commands held at re-enrolment (body: {\"command_ids\"?})", ctx -> {
            HeldCommandsRequest request = Bodies.readOptional(ctx, HeldCommandsRequest.class, new HeldCommandsRequest(null));
            ctx.json(commands.decideHeld(Access.principal(ctx), Bodies.uuidParam(ctx, "id"), request.commandIds(), false));
        });
    }

    private static int parseWait(String raw) {
        if (raw == null || raw.isBlank()) {
            return 0;
        }
        try {
            int wait = Integer.parseInt(raw.strip());
            if (wait >= 0 && wait <= CommandWaits.MAX_WAIT_SECONDS) {
                return wait;
            }
        } catch (NumberFormatException ignored) {
            // fall through to the error below
        }
        throw ApiException.badRequest("'wait' must be a whole number of seconds between 0 and " + CommandWaits.MAX_WAIT_SECONDS
                + "; got '" + Bodies.truncate(raw) + "'.");
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
        throw ApiException.badRequest("'limit' must be a whole number between 1 and 1000; got '" + Bodies.truncate(raw) + "'.");
    }
}
