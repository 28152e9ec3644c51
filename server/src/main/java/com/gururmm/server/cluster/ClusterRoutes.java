package com.gururmm.server.cluster;

import com.gururmm.server.auth.Role;
import com.gururmm.server.routing.RouteTable;
import com.gururmm.server.routing.Rule;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code GET /api/cluster} (admin): the nodes with their last heartbeat (database clock), how many
 * agents each holds, and which cluster-wide job leases each one holds. One node on its own shows
 * itself holding every lease.
 */
public final class ClusterRoutes {
    private final ClusterPresence presence;
    private final ClusterLeases leases;

    public ClusterRoutes(ClusterPresence presence, ClusterLeases leases) {
        this.presence = presence;
        this.leases = leases;
    }

    public void register(RouteTable routes) {
        routes.get("/api/cluster", Rule.role(Role.ADMIN), "The cluster's nodes, their heartbeats, agents and job leases", ctx -> {
            ctx.json(view());
        });
    }

    /** The body of {@code GET /api/cluster}. */
    public Map<String, Object> view() {
        Instant now = leases.databaseNow();
        List<ClusterLeases.Holder> all = leases.all();
        List<Map<String, Object>> nodes = new ArrayList<>();
        for (ClusterPresence.NodeRow n : presence.nodes()) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("name", n.name());
            row.put("self", n.name().equals(presence.node()));
            row.put("alive", n.alive());
            row.put("started_at", n.startedAt());
            row.put("last_heartbeat", n.heartbeatAt());
            row.put("agents", n.agents());
            row.put("url", n.url());
            row.put("leases", all.stream().filter(l -> n.name().equals(l.holder()) && l.expiresAt().isAfter(now))
                    .map(ClusterLeases.Holder::name).toList());
            nodes.add(row);
        }
        List<Map<String, Object>> leaseRows = new ArrayList<>();
        for (ClusterLeases.Holder l : all) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("name", l.name());
            boolean live = l.holder() != null && l.expiresAt().isAfter(now);
            row.put("holder", live ? l.holder() : null);
            row.put("expires_at", live ? l.expiresAt() : null);
            row.put("term", l.term());
            leaseRows.add(row);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("node", presence.node());
        out.put("database_time", now);
        out.put("lease_seconds", leases.leaseTime().toSeconds());
        out.put("nodes", nodes);
        out.put("leases", leaseRows);
        return out;
    }
}
