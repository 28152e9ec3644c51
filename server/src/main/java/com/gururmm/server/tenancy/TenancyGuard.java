package com.gururmm.server.tenancy;

import com.gururmm.server.auth.Principal;
import com.gururmm.server.auth.Role;
import com.gururmm.server.auth.Scope;
import com.gururmm.server.http.ApiException;
import com.gururmm.server.routing.AccessFilter;
import com.gururmm.server.routing.Rule;
import java.util.Optional;
import java.util.UUID;

/**
 * The scope check of every route whose {@link Rule} names a tenant-owned object, run by
 * {@link AccessFilter} before the handler. Outside the caller's scope the answer is the very
 * 404 an unknown id gets (same code, same message), so ids of other clients cannot be probed.
 * Admins pass without a lookup (an unknown id then gets its 404 from the handler).
 *
 * <p>On top, for agent and command routes that need technician or more, the server host's own
 * agent is admin-only ({@code AgentScope}, 403; the server host is not a secret).
 */
public final class TenancyGuard implements AccessFilter.ScopeGuard {
    private final TenancyStore store;
    private final AccessFilter.AgentScope serverHost;

    public TenancyGuard(TenancyStore store, AccessFilter.AgentScope serverHost) {
        this.store = store;
        this.serverHost = serverHost;
    }

    /**
     * May {@code principal} see what concerns agent {@code agentId} (an event, a row keyed by agent)?
     * Admins always; others when the agent is in their scope. Nothing tied to no agent is shown to a
     * scoped caller.
     */
    public boolean agentVisible(Principal principal, UUID agentId) {
        if (principal.scope().all()) {
            return true;
        }
        return agentId != null && store.siteOfAgent(agentId).map(principal.scope()::allowsSite).orElse(false);
    }

    /**
     * Is some site named {@code name} in {@code principal}'s scope? For monitoring objects that name a
     * site by its name (site-level checks, maintenance windows); names are unique per client only.
     */
    public boolean siteNameVisible(Principal principal, String name) {
        if (principal.scope().all()) {
            return true;
        }
        return name != null && store.siteIdsNamed(name).stream().anyMatch(principal.scope()::allowsSite);
    }

    /**
     * Is there a site named {@code name}, and is every site of that name in {@code principal}'s scope?
     * What changing a site-level check or window needs: it applies to every site of that name.
     */
    public boolean siteNameWithin(Principal principal, String name) {
        if (principal.scope().all()) {
            return true;
        }
        if (name == null) {
            return false;
        }
        java.util.List<UUID> ids = store.siteIdsNamed(name);
        return !ids.isEmpty() && ids.stream().allMatch(principal.scope()::allowsSite);
    }

    @Override
    public void check(Principal principal, Rule rule, UUID id) {
        Scope scope = principal.scope();
        boolean acting = rule.minimum() != null && rule.minimum().includes(Role.TECHNICIAN);
        switch (rule.target().kind()) {
            case AGENT -> {
                if (!scope.all()) {
                    Optional<UUID> site = store.siteOfAgent(id);
                    if (site.isEmpty() || !scope.allowsSite(site.get())) {
                        throw ApiException.notFound("agent", id);
                    }
                }
                if (acting) {
                    serverHost.check(principal, id);
                }
            }
            case COMMAND -> {
                Optional<UUID[]> agentAndSite = scope.all() && !acting ? Optional.empty() : store.agentAndSiteOfCommand(id);
                if (!scope.all() && (agentAndSite.isEmpty() || !scope.allowsSite(agentAndSite.get()[1]))) {
                    throw ApiException.notFound("command", id);
                }
                if (acting && agentAndSite.isPresent()) {
                    serverHost.check(principal, agentAndSite.get()[0]);
                }
            }
            case BATCH -> {
                if (!scope.all() && !store.batchWithin(id, scope)) {
                    throw ApiException.notFound("batch", id);
                }
            }
            case CLIENT -> {
                if (!scope.allowsClient(id)) {
                    throw ApiException.notFound("client", id);
                }
            }
            case SITE -> {
                if (!scope.allowsSite(id)) {
                    throw ApiException.notFound("site", id);
                }
            }
        }
    }
}
