package com.gururmm.server.auth;

import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * What part of the fleet a caller may see: every site ({@link #ALL}, admins), or the sites
 * resolved from their grants (whole clients and single sites) for this request. Resolved from
 * the database per request ({@link AuthService#authenticate}), so a scope change or a new site
 * of a granted client applies on the very next request.
 *
 * <p>Services filter listings with the SQL helpers, which inline the resolved ids (UUIDs, so
 * nothing a caller typed reaches the statement): e.g.
 * {@code "SELECT ... FROM agents a WHERE " + scope.sitesSql("a.site_id")}, or for a table keyed by
 * agent, {@code scope.agentsSql("m.agent_id")}.
 *
 * @param all every site (admin)
 * @param siteIds the sites in scope (granted sites plus every site of a granted client)
 * @param clientIds the clients the caller may see: granted clients plus the clients of granted sites
 */
public record Scope(boolean all, Set<UUID> siteIds, Set<UUID> clientIds) {
    public static final Scope ALL = new Scope(true, Set.of(), Set.of());
    public static final Scope NONE = new Scope(false, Set.of(), Set.of());

    public Scope {
        siteIds = Set.copyOf(siteIds);
        clientIds = Set.copyOf(clientIds);
    }

    public boolean allowsSite(UUID siteId) {
        return all || (siteId != null && siteIds.contains(siteId));
    }

    public boolean allowsClient(UUID clientId) {
        return all || (clientId != null && clientIds.contains(clientId));
    }

    /**
     * What both scopes allow: for a credential narrower than its owner (an API key's own scope
     * intersected with its owner's, read per request, so narrowing the owner narrows the key).
     */
    public Scope intersect(Scope other) {
        if (all) {
            return other;
        }
        if (other.all) {
            return this;
        }
        Set<UUID> sites = new java.util.HashSet<>(siteIds);
        sites.retainAll(other.siteIds);
        Set<UUID> clients = new java.util.HashSet<>(clientIds);
        clients.retainAll(other.clientIds);
        return new Scope(false, sites, clients);
    }

    /** A SQL condition true where {@code siteColumn} (a site id) is in scope. */
    public String sitesSql(String siteColumn) {
        return in(siteColumn, siteIds);
    }

    /** A SQL condition true where {@code clientColumn} (a client id) is visible. */
    public String clientsSql(String clientColumn) {
        return in(clientColumn, clientIds);
    }

    /** A SQL condition true where {@code agentIdColumn} names an agent in scope (for tables keyed by agent). */
    public String agentsSql(String agentIdColumn) {
        if (all) {
            return "1=1";
        }
        return siteIds.isEmpty() ? "1=0" : agentIdColumn + " IN (SELECT scope_a.id FROM agents scope_a WHERE " + in("scope_a.site_id", siteIds) + ")";
    }

    private String in(String column, Set<UUID> ids) {
        if (all) {
            return "1=1";
        }
        if (ids.isEmpty()) {
            return "1=0";
        }
        // UUID.toString is hex digits and dashes only: safe to inline.
        return column + " IN (" + ids.stream().sorted().map(id -> "'" + id + "'").collect(Collectors.joining(",")) + ")";
    }
}
