package com.gururmm.server.inventory;

import com.gururmm.server.auth.Access;
import com.gururmm.server.auth.Role;
import com.gururmm.server.http.Bodies;
import com.gururmm.server.routing.RouteTable;
import com.gururmm.server.routing.Rule;
import java.util.LinkedHashMap;
import java.util.Map;

/** {@code /api/agents/{id}/inventory} (viewer+), its refresh (technician+) and {@code /api/inventory/search} (viewer+, only agents in the caller's scope). */
public final class InventoryRoutes {
    private final InventoryService inventory;

    public InventoryRoutes(InventoryService inventory) {
        this.inventory = inventory;
    }

    public void register(RouteTable routes) {
        routes.get("/api/agents/{id}/inventory", Rule.role(Role.VIEWER).onAgent("id"),
                "The agent's latest system inventory: hardware, disks, NICs, file systems, software, services, updates", ctx ->
                        ctx.json(inventory.get(Bodies.uuidParam(ctx, "id"))));
        routes.post("/api/agents/{id}/inventory/refresh", Rule.role(Role.TECHNICIAN).onAgent("id"),
                "Ask the (online) agent for a fresh system inventory now", ctx -> {
                    ctx.status(202);
                    ctx.json(inventory.refresh(Access.principal(ctx), Bodies.uuidParam(ctx, "id")));
                });
        routes.get("/api/inventory/search", Rule.role(Role.VIEWER),
                "Fleet-wide inventory search: software (+version_below), filesystem_free_below_percent, pending_updates_above,"
                        + " pending_updates_older_than_days, reboot_required, limit", ctx -> {
                    Map<String, String> params = new LinkedHashMap<>();
                    for (String key : ctx.queryParamMap().keySet()) {
                        params.put(key, Bodies.query(ctx, key));
                    }
                    ctx.json(inventory.search(params, Access.principal(ctx).scope()));
                });
    }
}
