package com.gururmm.server.automation;

import com.gururmm.protocol.api.Schedules.ScheduleRequest;
import com.gururmm.server.auth.Access;
import com.gururmm.server.auth.Role;
import com.gururmm.server.batch.BatchService;
import com.gururmm.server.http.ApiException;
import com.gururmm.server.http.Bodies;
import com.gururmm.server.routing.RouteTable;
import com.gururmm.server.routing.Rule;
import java.util.UUID;

/** {@code /api/schedules}: technicians create and change; every role reads what is in its scope. */
final class ScheduleRoutes {
    private final ScheduleService schedules;
    private final BatchService batches;

    ScheduleRoutes(ScheduleService schedules, BatchService batches) {
        this.schedules = schedules;
        this.batches = batches;
    }

    void register(RouteTable routes) {
        routes.post("/api/schedules", Rule.role(Role.TECHNICIAN), "Schedule a script (cron, interval_seconds or a one-off at) on agents or a filter",
                ctx -> ctx.status(201).json(schedules.create(Access.principal(ctx), Bodies.read(ctx, ScheduleRequest.class))));
        routes.get("/api/schedules", Rule.role(Role.VIEWER), "Schedules whose targets are in your scope (filter: script_id)", ctx ->
                ctx.json(schedules.list(Access.principal(ctx), uuidQuery(Bodies.query(ctx, "script_id")))));
        routes.get("/api/schedules/{id}", Rule.role(Role.VIEWER), "One schedule", ctx ->
                ctx.json(schedules.get(Access.principal(ctx), Bodies.uuidParam(ctx, "id"))));
        routes.patch("/api/schedules/{id}", Rule.role(Role.TECHNICIAN), "Change a schedule (null fields stay; you become its owner)", ctx ->
                ctx.json(schedules.update(Access.principal(ctx), Bodies.uuidParam(ctx, "id"), Bodies.read(ctx, ScheduleRequest.class))));
        routes.delete("/api/schedules/{id}", Rule.role(Role.TECHNICIAN), "Delete a schedule and its history", ctx -> {
            schedules.delete(Access.principal(ctx), Bodies.uuidParam(ctx, "id"));
            ctx.status(204);
        });
        routes.get("/api/schedules/{id}/runs", Rule.role(Role.VIEWER), "A schedule's occurrences, newest first, with each batch's progress", ctx ->
                ctx.json(schedules.runs(Access.principal(ctx), Bodies.uuidParam(ctx, "id"), ScriptRoutes.limit(ctx), b -> batches.get(b, false))));
    }

    static UUID uuidQuery(String raw) {
        if (raw == null || raw.isBlank()) {
            return null;
        }
        try {
            return UUID.fromString(raw.trim());
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("'" + Bodies.truncate(raw) + "' is not a valid id; expected a UUID.");
        }
    }
}
