package com.gururmm.server.automation;

import com.gururmm.protocol.api.Policies.AssignmentRequest;
import com.gururmm.protocol.api.Policies.ExclusionRequest;
import com.gururmm.protocol.api.Policies.PolicyRequest;
import com.gururmm.server.auth.Access;
import com.gururmm.server.auth.Role;
import com.gururmm.server.http.Bodies;
import com.gururmm.server.routing.RouteTable;
import com.gururmm.server.routing.Rule;

/** {@code /api/policies} and {@code GET /api/agents/{id}/policies}. */
final class PolicyRoutes {
    private final PolicyService policies;

    PolicyRoutes(PolicyService policies) {
        this.policies = policies;
    }

    void register(RouteTable routes) {
        routes.post("/api/policies", Rule.role(Role.TECHNICIAN), "Create a policy: a bundle of checks and scheduled tasks (applies once assigned)",
                ctx -> ctx.status(201).json(policies.create(Access.principal(ctx), Bodies.read(ctx, PolicyRequest.class))));
        routes.get("/api/policies", Rule.role(Role.VIEWER), "Policies (assignments and exclusions as far as your scope reaches)", ctx ->
                ctx.json(policies.list(Access.principal(ctx))));
        routes.get("/api/policies/{id}", Rule.role(Role.VIEWER), "One policy", ctx ->
                ctx.json(policies.get(Access.principal(ctx), Bodies.uuidParam(ctx, "id"))));
        routes.patch("/api/policies/{id}", Rule.role(Role.TECHNICIAN), "Change a policy (a given checks/tasks list replaces the old one)", ctx ->
                ctx.json(policies.update(Access.principal(ctx), Bodies.uuidParam(ctx, "id"), Bodies.read(ctx, PolicyRequest.class))));
        routes.delete("/api/policies/{id}", Rule.role(Role.TECHNICIAN), "Delete a policy, its tasks and assignments", ctx -> {
            policies.delete(Access.principal(ctx), Bodies.uuidParam(ctx, "id"));
            ctx.status(204);
        });
        routes.post("/api/policies/{id}/assignments", Rule.role(Role.TECHNICIAN),
                "Assign a policy to the fleet (admin), a client (all of it in your scope) or a site", ctx ->
                        ctx.status(201).json(policies.assign(Access.principal(ctx), Bodies.uuidParam(ctx, "id"), Bodies.read(ctx, AssignmentRequest.class))));
        routes.delete("/api/policies/{id}/assignments/{assignment}", Rule.role(Role.TECHNICIAN), "Remove an assignment", ctx -> {
            policies.unassign(Access.principal(ctx), Bodies.uuidParam(ctx, "id"), Bodies.uuidParam(ctx, "assignment"));
            ctx.status(204);
        });
        routes.post("/api/policies/{id}/exclusions", Rule.role(Role.TECHNICIAN), "Exclude an agent from a policy", ctx -> {
            policies.exclude(Access.principal(ctx), Bodies.uuidParam(ctx, "id"), Bodies.read(ctx, ExclusionRequest.class).agentId());
            ctx.status(204);
        });
        routes.delete("/api/policies/{id}/exclusions/{agent}", Rule.role(Role.TECHNICIAN), "Apply a policy to an excluded agent again", ctx -> {
            policies.include(Access.principal(ctx), Bodies.uuidParam(ctx, "id"), Bodies.uuidParam(ctx, "agent"));
            ctx.status(204);
        });
        routes.get("/api/agents/{id}/policies", Rule.role(Role.VIEWER).onAgent("id"),
                "The policies that apply to an agent, each with where it comes from (fleet, client, site), and those that exclude it", ctx ->
                        ctx.json(policies.forAgent(Access.principal(ctx), Bodies.uuidParam(ctx, "id"))));
    }
}
