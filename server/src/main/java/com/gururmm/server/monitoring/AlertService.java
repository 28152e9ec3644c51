package com.gururmm.server.monitoring;

import com.gururmm.protocol.api.Alerts.AgentAlertCount;
import com.gururmm.protocol.api.Alerts.AlertCounts;
import com.gururmm.protocol.api.Alerts.AlertView;
import com.gururmm.protocol.api.Checks;
import com.gururmm.server.audit.AuditLog;
import com.gururmm.server.auth.Principal;
import com.gururmm.server.http.ApiException;
import com.gururmm.server.routing.AccessFilter;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/** Reading alerts, and a person's acknowledge and resolve (audited; the agent scope rule applies to the alert's agent). */
final class AlertService {
    static final List<String> STATES = List.of("open", "acknowledged", "resolved", "active");
    private static final int DEFAULT_LIMIT = 200;
    private static final int MAX_LIMIT = 1000;

    private final AlertStore store;
    private final AlertEngine engine;
    private final AuditLog audit;
    private final AccessFilter.AgentScope scope;
    private final Visibility visibility;

    AlertService(AlertStore store, AlertEngine engine, AuditLog audit, AccessFilter.AgentScope scope, Visibility visibility) {
        this.store = store;
        this.engine = engine;
        this.audit = audit;
        this.scope = scope;
        this.visibility = visibility;
    }

    /** Only alerts of agents in the caller's scope, whatever the filters say. */
    List<AlertView> list(Principal caller, String state, String severity, UUID agentId, String site, String check, Instant since, Integer limit) {
        if (state != null && !STATES.contains(state)) {
            throw ApiException.badRequest("Query parameter 'state' must be one of " + STATES + "; got '" + clip(state) + "'.");
        }
        if (severity != null && !Checks.SEVERITIES.contains(severity)) {
            throw ApiException.badRequest("Query parameter 'severity' must be one of " + Checks.SEVERITIES + "; got '" + clip(severity) + "'.");
        }
        int n = limit == null ? DEFAULT_LIMIT : limit;
        if (n < 1 || n > MAX_LIMIT) {
            throw ApiException.badRequest("Query parameter 'limit' must be between 1 and " + MAX_LIMIT + "; got " + n + ".");
        }
        return store.list(caller.scope(), state, severity, agentId, site, check, since, n);
    }

    /** An alert of an agent outside the caller's scope answers exactly as an unknown id. */
    AlertView get(Principal caller, UUID id) {
        return store.find(id).filter(a -> visibility.agent(caller, a.agentId())).orElseThrow(() -> ApiException.notFound("alert", id));
    }

    /** The navigation badge: unresolved alerts of agents in the caller's scope. */
    AlertCounts counts(Principal caller) {
        return store.counts(caller.scope());
    }

    /** The fleet page's alerts column: unresolved alerts per agent in the caller's scope. */
    List<AgentAlertCount> countsByAgent(Principal caller) {
        return store.countsByAgent(caller.scope());
    }

    AlertView acknowledge(Principal actor, UUID id) {
        AlertView alert = get(actor, id);
        scope.check(actor, alert.agentId());
        AlertView acked = engine.acknowledge(alert, actor.name()).orElseThrow(() -> ApiException.conflict(
                "Alert " + id + " is " + get(actor, id).state() + "; only an open alert can be acknowledged."));
        audit.record(actor.name(), "alert.acknowledge", id.toString(), alert.checkKey() + " on " + alert.agentId());
        return acked;
    }

    AlertView resolve(Principal actor, UUID id) {
        AlertView alert = get(actor, id);
        scope.check(actor, alert.agentId());
        AlertView resolved = engine.resolve(alert, actor.name()).orElseThrow(() -> ApiException.conflict(
                "Alert " + id + " is already resolved."));
        audit.record(actor.name(), "alert.resolve", id.toString(), alert.checkKey() + " on " + alert.agentId());
        return resolved;
    }

    private static String clip(String v) {
        return v.length() > 40 ? v.substring(0, 40) + "..." : v;
    }
}
