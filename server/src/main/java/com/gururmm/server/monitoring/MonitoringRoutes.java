package com.gururmm.server.monitoring;

import com.gururmm.protocol.api.Alerts.MaintenanceWindowRequest;
import com.gururmm.protocol.api.Checks.CheckRequest;
import com.gururmm.server.auth.Access;
import com.gururmm.server.auth.Role;
import com.gururmm.server.http.ApiException;
import com.gururmm.server.http.Bodies;
import com.gururmm.server.routing.RouteTable;
import com.gururmm.server.routing.Rule;
import io.javalin.http.Context;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.UUID;

/**
 * {@code /api/checks}, {@code /api/agents/{id}/checks}, {@code /api/alerts}, {@code /api/maintenance-windows}. Every answer is
 * limited to the caller's scope (docs/OPERATIONS.md, "Clients, sites and scoped roles"): listings filter, and an id outside
 * it answers as an unknown one.
 */
final class MonitoringRoutes {
    private final CheckService checks;
    private final AlertService alerts;
    private final MaintenanceWindows windows;

    MonitoringRoutes(CheckService checks, AlertService alerts, MaintenanceWindows windows) {
        this.checks = checks;
        this.alerts = alerts;
        this.windows = windows;
    }

    void register(RouteTable routes) {
        routes.post("/api/checks", Rule.role(Role.TECHNICIAN), "Create a check (fleet-wide: admin)", ctx ->
                ctx.status(201).json(checks.create(Access.principal(ctx), Bodies.read(ctx, CheckRequest.class))));
        routes.get("/api/checks", Rule.role(Role.VIEWER), "List checks (filters: scope, site, agent_id, kind)", ctx ->
                ctx.json(checks.list(Access.principal(ctx), Bodies.query(ctx, "scope"), Bodies.query(ctx, "site"), uuidQuery(ctx, "agent_id"),
                        Bodies.query(ctx, "kind"))));
        routes.get("/api/checks/{id}", Rule.role(Role.VIEWER), "One check", ctx -> ctx.json(checks.get(Access.principal(ctx), Bodies.uuidParam(ctx, "id"))));
        routes.patch("/api/checks/{id}", Rule.role(Role.TECHNICIAN), "Change a check (null fields stay as they are)", ctx ->
                ctx.json(checks.update(Access.principal(ctx), Bodies.uuidParam(ctx, "id"), Bodies.read(ctx, CheckRequest.class))));
        routes.delete("/api/checks/{id}", Rule.role(Role.TECHNICIAN), "Delete a check (its open alerts resolve)", ctx -> {
            checks.delete(Access.principal(ctx), Bodies.uuidParam(ctx, "id"));
            ctx.status(204);
        });
        routes.get("/api/agents/{id}/checks", Rule.role(Role.VIEWER).onAgent("id"), "The checks that apply to an agent, with their origin and last result",
                ctx -> ctx.json(checks.effective(Bodies.uuidParam(ctx, "id"))));

        routes.get("/api/alerts", Rule.role(Role.VIEWER), "List alerts (filters: state, severity, agent, site, check, since, limit)", ctx ->
                ctx.json(alerts.list(Access.principal(ctx), Bodies.query(ctx, "state"), Bodies.query(ctx, "severity"), uuidQuery(ctx, "agent"),
                        Bodies.query(ctx, "site"), Bodies.query(ctx, "check"), instantQuery(ctx, "since"), intQuery(ctx, "limit"))));
        routes.get("/api/alerts/counts", Rule.role(Role.VIEWER),
                "Counts of unresolved alerts (the navigation badge); by=agent: per agent with the worst severity (the fleet page)", ctx -> {
                    String by = Bodies.query(ctx, "by");
                    if (by == null || by.isBlank()) {
                        ctx.json(alerts.counts(Access.principal(ctx)));
                    } else if (by.trim().equals("agent")) {
                        ctx.json(alerts.countsByAgent(Access.principal(ctx)));
                    } else {
                        throw ApiException.badRequest("Query parameter 'by' must be 'agent' (or absent for the totals); got '"
                                + Bodies.truncate(by) + "'.");
                    }
                });
        routes.get("/api/alerts/{id}", Rule.role(Role.VIEWER), "One alert", ctx -> ctx.json(alerts.get(Access.principal(ctx), Bodies.uuidParam(ctx, "id"))));
        routes.post("/api/alerts/{id}/acknowledge", Rule.role(Role.TECHNICIAN), "Acknowledge an open alert", ctx ->
                ctx.json(alerts.acknowledge(Access.principal(ctx), Bodies.uuidParam(ctx, "id"))));
        routes.post("/api/alerts/{id}/resolve", Rule.role(Role.TECHNICIAN), "Resolve an alert by hand", ctx ->
                ctx.json(alerts.resolve(Access.principal(ctx), Bodies.uuidParam(ctx, "id"))));

        routes.post("/api/maintenance-windows", Rule.role(Role.TECHNICIAN), "Create a maintenance window for an agent or a site", ctx ->
                ctx.status(201).json(windows.create(Access.principal(ctx), Bodies.read(ctx, MaintenanceWindowRequest.class))));
        routes.get("/api/maintenance-windows", Rule.role(Role.VIEWER), "List maintenance windows (filters: agent_id, site, active=true)",
                ctx -> ctx.json(windows.list(Access.principal(ctx).scope(), uuidQuery(ctx, "agent_id"), Bodies.query(ctx, "site"), "true".equals(Bodies.query(ctx, "active")))));
        routes.get("/api/maintenance-windows/{id}", Rule.role(Role.VIEWER), "One maintenance window", ctx -> {
            UUID id = Bodies.uuidParam(ctx, "id");
            ctx.json(windows.find(Access.principal(ctx), id).orElseThrow(() -> ApiException.notFound("maintenance window", id)));
        });
        routes.patch("/api/maintenance-windows/{id}", Rule.role(Role.TECHNICIAN), "Change a maintenance window's times or reason", ctx ->
                ctx.json(windows.update(Access.principal(ctx), Bodies.uuidParam(ctx, "id"), Bodies.read(ctx, MaintenanceWindowRequest.class))));
        routes.delete("/api/maintenance-windows/{id}", Rule.role(Role.TECHNICIAN), "Delete a maintenance window", ctx -> {
            windows.delete(Access.principal(ctx), Bodies.uuidParam(ctx, "id"));
            ctx.status(204);
        });
    }

    private static UUID uuidQuery(Context ctx, String name) {
        String raw = Bodies.query(ctx, name);
        if (raw == null || raw.isBlank()) {
            return null;
        }
        try {
            return UUID.fromString(raw.trim());
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("Query parameter '" + name + "' must be a UUID; got '" + Bodies.truncate(raw) + "'.");
        }
    }

    private static Instant instantQuery(Context ctx, String name) {
        String raw = Bodies.query(ctx, name);
        if (raw == null || raw.isBlank()) {
            return null;
        }
        try {
            return Instant.parse(raw.trim());
        } catch (DateTimeParseException e) {
            throw ApiException.badRequest("Query parameter '" + name + "' must be an ISO-8601 time such as 2026-01-31T12:00:00Z; got '"
                    + Bodies.truncate(raw) + "'.");
        }
    }

    private static Integer intQuery(Context ctx, String name) {
        String raw = Bodies.query(ctx, name);
        if (raw == null || raw.isBlank()) {
            return null;
        }
        try {
            return Integer.parseInt(raw.trim());
        } catch (NumberFormatException e) {
            throw ApiException.badRequest("Query parameter '" + name + "' must be a whole number; got '" + Bodies.truncate(raw) + "'.");
        }
    }
}
