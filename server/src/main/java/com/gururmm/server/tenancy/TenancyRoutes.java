package com.gururmm.server.tenancy;

import com.gururmm.protocol.api.Tenancy.NameRequest;
import com.gururmm.server.auth.Access;
import com.gururmm.server.auth.Role;
import com.gururmm.server.http.Bodies;
import com.gururmm.server.routing.RouteTable;
import com.gururmm.server.routing.Rule;

/**
 * {@code /api/clients} and {@code /api/sites}: every role reads what its scope holds (listings
 * filtered, ids outside it 404); only admins create, rename and delete.
 */
public final class TenancyRoutes {
    private final TenancyService tenancy;

    public TenancyRoutes(TenancyService tenancy) {
        this.tenancy = tenancy;
    }

    public void register(RouteTable routes) {
        routes.get("/api/clients", Rule.role(Role.VIEWER), "Clients in the caller's scope, with site and agent counts", ctx ->
                ctx.json(tenancy.clients(Access.principal(ctx).scope())));
        routes.post("/api/clients", Rule.role(Role.ADMIN), "Create a client (body {\"name\"})", ctx ->
                ctx.status(201).json(tenancy.createClient(Access.principal(ctx), Bodies.read(ctx, NameRequest.class).name())));
        routes.get("/api/clients/{id}", Rule.role(Role.VIEWER).onClient("id"), "One client", ctx ->
                ctx.json(tenancy.client(Bodies.uuidParam(ctx, "id"), Access.principal(ctx).scope())));
        routes.patch("/api/clients/{id}", Rule.role(Role.ADMIN).onClient("id"), "Rename a client (body {\"name\"})", ctx ->
                ctx.json(tenancy.renameClient(Access.principal(ctx), Bodies.uuidParam(ctx, "id"), Bodies.read(ctx, NameRequest.class).name())));
        routes.delete("/api/clients/{id}", Rule.role(Role.ADMIN).onClient("id"),
                "Delete a client and its sites (refused with 409 while any site holds agents)", ctx -> {
                    tenancy.deleteClient(Access.principal(ctx), Bodies.uuidParam(ctx, "id"));
                    ctx.status(204);
                });
        routes.get("/api/clients/{id}/sites", Rule.role(Role.VIEWER).onClient("id"), "A client's sites in the caller's scope", ctx ->
                ctx.json(tenancy.sites(Bodies.uuidParam(ctx, "id"), Access.principal(ctx).scope())));
        routes.post("/api/clients/{id}/sites", Rule.role(Role.ADMIN).onClient("id"), "Create a site of a client (body {\"name\"})", ctx ->
                ctx.status(201).json(tenancy.createSite(Access.principal(ctx), Bodies.uuidParam(ctx, "id"),
                        Bodies.read(ctx, NameRequest.class).name())));
        routes.get("/api/sites", Rule.role(Role.VIEWER), "Every site in the caller's scope, with its client", ctx ->
                ctx.json(tenancy.sites(null, Access.principal(ctx).scope())));
        routes.get("/api/sites/{id}", Rule.role(Role.VIEWER).onSite("id"), "One site", ctx ->
                ctx.json(tenancy.site(Bodies.uuidParam(ctx, "id"))));
        routes.patch("/api/sites/{id}", Rule.role(Role.ADMIN).onSite("id"), "Rename a site (body {\"name\"})", ctx ->
                ctx.json(tenancy.renameSite(Access.principal(ctx), Bodies.uuidParam(ctx, "id"), Bodies.read(ctx, NameRequest.class).name())));
        routes.delete("/api/sites/{id}", Rule.role(Role.ADMIN).onSite("id"),
                "Delete a site (refused with 409 while it holds agents); its enrollment tokens go with it", ctx -> {
                    tenancy.deleteSite(Access.principal(ctx), Bodies.uuidParam(ctx, "id"));
                    ctx.status(204);
                });
    }
}
