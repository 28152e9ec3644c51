package com.gururmm.server.auth;

import com.gururmm.protocol.api.Auth.ScopeView;
import com.gururmm.server.config.OidcSettings;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.jdbi.v3.core.Handle;

/**
 * ID token claims → GuruRMM role and scope, applied at every SSO login (so a change of groups at the
 * provider takes effect at the user's next login).
 *
 * <p>Role: every value of the role claim (a string or a list) is looked up in
 * {@code GURURMM_OIDC_ROLE_MAP} (or, without a map, read as a role name); the highest role found
 * wins, and none found refuses the login. Scope (technicians and viewers): each value of the scope
 * claim names a client ({@code Acme}), a site ({@code Acme/HQ}), or either by id; names compare
 * without case. Values naming nothing are skipped (reported in the audit detail): a renamed site
 * narrows a user's view instead of locking them out, and never widens it.
 */
final class OidcMapping {
    record Mapped(Role role, ScopeView scope, List<String> unknownScopeValues) {
    }

    private final OidcSettings settings;

    OidcMapping(OidcSettings settings) {
        this.settings = settings;
    }

    /** The role the claim values map to; empty when none does. */
    Optional<Role> role(Object claim) {
        Role best = null;
        for (String value : values(claim)) {
            String name = settings.roleMap().isEmpty() ? value.toLowerCase(Locale.ROOT) : settings.roleMap().get(value);
            Optional<Role> role = name == null ? Optional.empty() : Role.parse(name);
            if (role.isPresent() && (best == null || role.get().includes(best))) {
                best = role.get();
            }
        }
        return Optional.ofNullable(best);
    }

    Mapped map(Handle h, Role role, Object scopeClaim) {
        if (role == Role.ADMIN) {
            return new Mapped(role, new ScopeView(List.of(), List.of()), List.of());
        }
        Set<UUID> clients = new LinkedHashSet<>();
        Set<UUID> sites = new LinkedHashSet<>();
        List<String> unknown = new ArrayList<>();
        for (String value : values(scopeClaim)) {
            int slash = value.indexOf('/');
            Optional<UUID> found;
            if (slash < 0) {
                found = clientByName(h, value).or(() -> byId(h, "clients", value));
                found.ifPresent(clients::add);
                if (found.isEmpty()) {
                    found = byId(h, "sites", value);
                    found.ifPresent(sites::add);
                }
            } else {
                found = siteByName(h, value.substring(0, slash).trim(), value.substring(slash + 1).trim());
                found.ifPresent(sites::add);
            }
            if (found.isEmpty()) {
                unknown.add(value);
            }
            if (clients.size() + sites.size() >= ScopeStore.MAX_GRANTS) {
                break;
            }
        }
        return new Mapped(role, new ScopeView(new ArrayList<>(clients), new ArrayList<>(sites)), unknown);
    }

    /** A claim's values: a string, or the strings of a list; anything else counts as no value. */
    static List<String> values(Object claim) {
        List<String> out = new ArrayList<>();
        if (claim instanceof String s) {
            if (!s.isBlank()) {
                out.add(s.trim());
            }
        } else if (claim instanceof Collection<?> list) {
            for (Object o : list) {
                if (o instanceof String s && !s.isBlank() && s.length() <= 500) {
                    out.add(s.trim());
                }
            }
        }
        return out;
    }

    private static Optional<UUID> clientByName(Handle h, String name) {
        return h.createQuery("SELECT id FROM clients WHERE name_key = :key").bind("key", name.toLowerCase(Locale.ROOT))
                .mapTo(UUID.class).findOne();
    }

    private static Optional<UUID> siteByName(Handle h, String client, String site) {
        return h.createQuery("""
                        SELECT s.id FROM sites s JOIN clients c ON c.id = s.client_id
                        WHERE c.name_key = :client AND s.name_key = :site""")
                .bind("client", client.toLowerCase(Locale.ROOT)).bind("site", site.toLowerCase(Locale.ROOT))
                .mapTo(UUID.class).findOne();
    }

    private static Optional<UUID> byId(Handle h, String table, String value) {
        UUID id;
        try {
            id = UUID.fromString(value);
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        // table is one of two constants, never input
        return h.createQuery("SELECT id FROM " + table + " WHERE id = :id").bind("id", id).mapTo(UUID.class).findOne();
    }
}
