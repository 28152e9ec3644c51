package com.gururmm.server.monitoring;

import com.gururmm.protocol.api.Checks;
import com.gururmm.protocol.api.Checks.CheckRequest;
import com.gururmm.protocol.api.Checks.CheckView;
import com.gururmm.protocol.api.Checks.EffectiveCheck;
import com.gururmm.server.agent.AgentStore;
import com.gururmm.server.audit.AuditLog;
import com.gururmm.server.auth.Principal;
import com.gururmm.server.auth.Role;
import com.gururmm.server.http.ApiException;
import com.gururmm.server.routing.AccessFilter;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Check definitions: validation, who may change which scope, audit, and telling the evaluators
 * when the set changed. Fleet-wide checks are admin-only; site-wide script checks too (a script
 * check runs a script as root/SYSTEM on every machine it reaches); an agent's own checks follow
 * the agent scope rule (the server host's agent is admin-only).
 */
final class CheckService {
    private final CheckStore store;
    private final CheckCatalog catalog;
    private final AgentStore agents;
    private final AuditLog audit;
    private final Clock clock;
    private final AccessFilter.AgentScope scope;
    private final Visibility visibility;
    private final List<Runnable> onChange = new CopyOnWriteArrayList<>();

    CheckService(CheckStore store, CheckCatalog catalog, AgentStore agents, AuditLog audit, Clock clock, AccessFilter.AgentScope scope,
                 Visibility visibility) {
        this.visibility = visibility;
        this.store = store;
        this.catalog = catalog;
        this.agents = agents;
        this.audit = audit;
        this.clock = clock;
        this.scope = scope;
    }

    /** Runs after every committed change, once the catalog holds the new set. */
    void onChange(Runnable listener) {
        onChange.add(listener);
    }

    CheckView create(Principal actor, CheckRequest r) {
        String kind = CheckValidator.kind(r.kind());
        String scopeName = r.scope() != null ? r.scope() : r.agentId() != null ? "agent" : r.site() != null ? "site" : "fleet";
        if (!Checks.SCOPES.contains(scopeName)) {
            throw CheckValidator.bad("scope", "is '" + scopeName + "'; use one of " + Checks.SCOPES);
        }
        String site = CheckValidator.text(r.site(), "site", 200);
        UUID agentId = r.agentId();
        switch (scopeName) {
            case "fleet" -> {
                if (site != null || agentId != null) {
                    throw CheckValidator.bad("scope", "is 'fleet', which takes neither 'site' nor 'agent_id'");
                }
            }
            case "site" -> {
                if (site == null || agentId != null) {
                    throw CheckValidator.bad("site", "is required for a site check (and 'agent_id' is not allowed)");
                }
            }
            default -> {
                if (agentId == null || site != null) {
                    throw CheckValidator.bad("agent_id", "is required for an agent check (and 'site' is not allowed)");
                }
                // Out of the caller's scope reads exactly as an unknown agent: existence does not leak.
                if (agents.findById(agentId).isEmpty() || !visibility.agent(actor, agentId)) {
                    throw CheckValidator.bad("agent_id", "names no agent (" + agentId + ")");
                }
            }
        }
        String name = CheckValidator.text(r.name(), "name", 200);
        CheckParams params = CheckValidator.params(kind, r);
        String severity = CheckValidator.severity(r.severity(), "agent_offline".equals(kind) ? "critical" : "warning");
        String key = r.key() == null ? CheckValidator.defaultKey(kind, name, params) : CheckValidator.text(r.key(), "key", 200);
        if (key == null) {
            throw CheckValidator.bad("key", "is blank");
        }
        authorize(actor, scopeName, kind, agentId, site);
        String scopeKey = Check.scopeKey(scopeName, site, agentId);
        if (store.keyTaken(scopeKey, key)) {
            throw ApiException.conflict("A check with key '" + key + "' already exists at scope " + scopeKey
                    + "; change that one (PATCH /api/checks/{id}) or choose another 'key'.");
        }
        Instant now = clock.instant();
        Check check = new Check(UUID.randomUUID(), key, name, scopeName, site, agentId, scopeKey, kind,
                r.enabled() == null || r.enabled(), severity, params, actor.name(), now, now);
        store.insert(check);
        audit.record(actor.name(), "check.create", check.id().toString(), scopeKey + " " + key + " (" + kind + ")");
        changed();
        return check.view();
    }

    CheckView update(Principal actor, UUID id, CheckRequest r) {
        Check old = find(actor, id);
        if (r.kind() != null && !r.kind().equals(old.kind())) {
            throw CheckValidator.bad("kind", "cannot change (it is '" + old.kind() + "'); create a new check instead");
        }
        if ((r.scope() != null && !r.scope().equals(old.scope())) || (r.site() != null && !r.site().equals(old.site()))
                || (r.agentId() != null && !r.agentId().equals(old.agentId()))) {
            throw CheckValidator.bad("scope", "cannot change; create the check at the other scope instead");
        }
        if (r.key() != null && !r.key().equals(old.key())) {
            throw CheckValidator.bad("key", "cannot change; create a new check instead");
        }
        authorize(actor, old.scope(), old.kind(), old.agentId(), old.site());
        CheckParams p = old.params();
        CheckRequest merged = new CheckRequest(old.key(), null, old.scope(), old.site(), old.agentId(), old.kind(), null, null,
                or(r.metric(), p.metric()), or(r.operator(), p.operator()), or(r.threshold(), p.threshold()),
                r.duration() != null ? r.duration() : p.durationSeconds() == null ? null : p.durationSeconds() + "s",
                or(r.minutes(), p.minutes()), or(r.service(), p.service()), or(r.process(), p.process()), or(r.host(), p.host()),
                or(r.port(), p.port()), or(r.url(), p.url()), or(r.timeoutSeconds(), p.timeoutSeconds()),
                or(r.expectedStatus(), p.expectedStatus()), or(r.days(), p.days()), or(r.script(), p.script()),
                or(r.scriptType(), p.scriptType()), or(r.intervalMinutes(), p.intervalMinutes()));
        CheckParams params = CheckValidator.params(old.kind(), merged);
        String severity = CheckValidator.severity(r.severity(), old.severity());
        String name = r.name() == null ? old.name() : CheckValidator.text(r.name(), "name", 200);
        Check check = new Check(old.id(), old.key(), name, old.scope(), old.site(), old.agentId(), old.scopeKey(), old.kind(),
                r.enabled() == null ? old.enabled() : r.enabled(), severity, params, old.createdBy(), old.createdAt(), clock.instant());
        store.update(check);
        audit.record(actor.name(), "check.update", id.toString(), old.scopeKey() + " " + old.key() + changes(old, check));
        changed();
        return check.view();
    }

    void delete(Principal actor, UUID id) {
        Check old = find(actor, id);
        authorize(actor, old.scope(), old.kind(), old.agentId(), old.site());
        store.delete(id);
        audit.record(actor.name(), "check.delete", id.toString(), old.scopeKey() + " " + old.key());
        changed();
    }

    CheckView get(Principal caller, UUID id) {
        return find(caller, id).view();
    }

    /** A check the caller may not see answers exactly as an unknown id. */
    private Check find(Principal caller, UUID id) {
        return store.find(id).filter(c -> visible(caller, c, new java.util.HashMap<>()))
                .orElseThrow(() -> ApiException.notFound("check", id));
    }

    /**
     * Fleet-wide checks apply to every agent, so everyone reads them; a site-level check is visible
     * when a site of that name is in the caller's scope, an agent's own check when the agent is.
     */
    private boolean visible(Principal caller, Check c, Map<String, Boolean> siteCache) {
        if (caller.scope().all()) {
            return true;
        }
        return switch (c.scope()) {
            case "fleet" -> true;
            case "site" -> siteCache.computeIfAbsent(c.site(), name -> visibility.siteName(caller, name));
            default -> visibility.agent(caller, c.agentId());
        };
    }

    List<CheckView> list(Principal caller, String scopeFilter, String site, UUID agentId, String kind) {
        Map<String, Boolean> siteCache = new java.util.HashMap<>();
        return store.all().stream()
                .filter(c -> visible(caller, c, siteCache))
                .filter(c -> scopeFilter == null || c.scope().equals(scopeFilter))
                .filter(c -> site == null || site.equals(c.site()))
                .filter(c -> agentId == null || agentId.equals(c.agentId()))
                .filter(c -> kind == null || c.kind().equals(kind))
                .map(Check::view).toList();
    }

    List<EffectiveCheck> effective(UUID agentId) {
        var agent = agents.findById(agentId).orElseThrow(() -> ApiException.notFound("agent", agentId));
        Map<String, CheckStore.Result> results = store.results(agentId).stream()
                .collect(Collectors.toMap(CheckStore.Result::checkKey, Function.identity(), (a, b) -> a));
        return catalog.resolve(agentId, agent.site()).stream().map(res -> {
            CheckStore.Result last = results.get(res.check().key());
            return new EffectiveCheck(res.check().view(), res.check().scope(), res.replaces(), last == null ? null : last.status(),
                    last == null ? null : last.output(), last == null ? null : last.at());
        }).toList();
    }

    private void authorize(Principal actor, String scopeName, String kind, UUID agentId, String site) {
        if (scopeName.equals("fleet") && !actor.role().includes(Role.ADMIN)) {
            throw ApiException.forbidden("Fleet-wide checks are admin-only; create the check for a site or an agent instead.");
        }
        if (scopeName.equals("site") && kind.equals("script") && !actor.role().includes(Role.ADMIN)) {
            throw ApiException.forbidden("Site-wide script checks are admin-only: they run a script on every machine of the site.");
        }
        if (scopeName.equals("site") && !actor.scope().all()) {
            // The same answer whether the site does not exist or is another client's.
            if (!visibility.siteName(actor, site)) {
                throw CheckValidator.bad("site", "names no site in your scope ('" + site + "')");
            }
            if (!visibility.wholeSiteName(actor, site)) {
                throw ApiException.forbidden("A site-level check applies to every site named '" + site
                        + "', and one of them is outside your scope; use agent-level checks, or ask an admin.");
            }
        }
        if (agentId != null) {
            scope.check(actor, agentId);
        }
    }

    private void changed() {
        catalog.reload();
        onChange.forEach(Runnable::run);
    }

    private static <T> T or(T value, T fallback) {
        return value != null ? value : fallback;
    }

    private static String changes(Check a, Check b) {
        StringBuilder out = new StringBuilder();
        if (a.enabled() != b.enabled()) {
            out.append(" enabled=").append(b.enabled());
        }
        if (!a.severity().equals(b.severity())) {
            out.append(" severity=").append(b.severity());
        }
        if (!Objects.equals(a.params(), b.params())) {
            out.append(" settings changed");
        }
        return out.toString();
    }
}
