package com.gururmm.server.auth;

import com.gururmm.protocol.api.Auth.ScopeView;
import com.gururmm.server.http.ApiException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.jdbi.v3.core.Handle;

/**
 * SQL for {@code user_scopes}: a technician's or viewer's grants (whole clients, single sites),
 * and their resolution into a {@link Scope} for one request.
 */
final class ScopeStore {
    static final int MAX_GRANTS = 1000;

    private ScopeStore() {
    }

    /** The sites and clients {@code userId} may see now (new sites of a granted client included). */
    static Scope resolve(Handle h, UUID userId) {
        Set<UUID> sites = new HashSet<>();
        Set<UUID> clients = new HashSet<>();
        h.createQuery("""
                        SELECT s.id, s.client_id FROM sites s
                        WHERE s.id IN (SELECT g.site_id FROM user_scopes g WHERE g.user_id = :user AND g.site_id IS NOT NULL)
                           OR s.client_id IN (SELECT g.client_id FROM user_scopes g WHERE g.user_id = :user AND g.client_id IS NOT NULL)""")
                .bind("user", userId)
                .map((rs, c) -> {
                    sites.add(rs.getObject(1, UUID.class));
                    clients.add(rs.getObject(2, UUID.class));
                    return null;
                }).list();
        clients.addAll(h.createQuery("SELECT client_id FROM user_scopes WHERE user_id = :user AND client_id IS NOT NULL")
                .bind("user", userId).mapTo(UUID.class).list());
        return new Scope(false, sites, clients);
    }

    /** The grants as stored, for display. */
    static ScopeView grants(Handle h, UUID userId) {
        List<UUID> clients = new ArrayList<>();
        List<UUID> sites = new ArrayList<>();
        h.createQuery("SELECT client_id, site_id FROM user_scopes WHERE user_id = :user")
                .bind("user", userId)
                .map((rs, c) -> {
                    UUID client = rs.getObject(1, UUID.class);
                    UUID site = rs.getObject(2, UUID.class);
                    if (client != null) {
                        clients.add(client);
                    } else {
                        sites.add(site);
                    }
                    return null;
                }).list();
        clients.sort(null);
        sites.sort(null);
        return new ScopeView(clients, sites);
    }

    /**
     * Checks a requested scope before anything is written: every id must name an existing
     * client or site (400 naming the first unknown one otherwise). Returns it de-duplicated.
     */
    static ScopeView validate(Handle h, ScopeView requested) {
        if (requested == null) {
            return new ScopeView(List.of(), List.of());
        }
        List<UUID> clients = distinct(requested.clientIds(), "client_ids");
        List<UUID> sites = distinct(requested.siteIds(), "site_ids");
        if (clients.size() + sites.size() > MAX_GRANTS) {
            throw ApiException.badRequest("'scope' names " + (clients.size() + sites.size()) + " clients and sites; the limit is "
                    + MAX_GRANTS + ". Grant whole clients instead of their sites.");
        }
        for (UUID id : clients) {
            if (h.createQuery("SELECT COUNT(*) FROM clients WHERE id = :id").bind("id", id).mapTo(Long.class).one() == 0) {
                throw ApiException.badRequest("'scope.client_ids' names client " + id + ", which does not exist; nothing was changed.");
            }
        }
        for (UUID id : sites) {
            if (h.createQuery("SELECT COUNT(*) FROM sites WHERE id = :id").bind("id", id).mapTo(Long.class).one() == 0) {
                throw ApiException.badRequest("'scope.site_ids' names site " + id + ", which does not exist; nothing was changed.");
            }
        }
        return new ScopeView(clients, sites);
    }

    private static List<UUID> distinct(List<UUID> ids, String field) {
        if (ids == null) {
            return List.of();
        }
        if (ids.contains(null)) {
            throw ApiException.badRequest("'scope." + field + "' contains null; every entry must be a UUID.");
        }
        return new ArrayList<>(new LinkedHashSet<>(ids));
    }

    /** Replaces the user's grants with {@code scope} (already validated). */
    static void replace(Handle h, UUID userId, ScopeView scope) {
        h.createUpdate("DELETE FROM user_scopes WHERE user_id = :user").bind("user", userId).execute();
        for (UUID client : scope.clientIds()) {
            h.createUpdate("INSERT INTO user_scopes (user_id, client_id) VALUES (:user, :client)")
                    .bind("user", userId).bind("client", client).execute();
        }
        for (UUID site : scope.siteIds()) {
            h.createUpdate("INSERT INTO user_scopes (user_id, site_id) VALUES (:user, :site)")
                    .bind("user", userId).bind("site", site).execute();
        }
    }

    static String describe(ScopeView scope) {
        return "clients=" + scope.clientIds() + " sites=" + scope.siteIds();
    }
}
