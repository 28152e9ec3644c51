package com.gururmm.server.monitoring;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * Every check, held in memory (a fleet has tens or hundreds) and reloaded after each change, so
 * evaluating a sample or a presence change never reads the checks table.
 *
 * <p>Inheritance: an agent's checks are the fleet's, overridden key by key by its site's, then by
 * its own. An override replaces the inherited check with the same key entirely; a disabled
 * override switches it off for that site or agent.
 */
final class CheckCatalog {
    /** One check as it applies to an agent; {@code replaces}: the inherited checks with the same key it overrides. */
    record Resolved(Check check, List<UUID> replaces) {
    }

    private final CheckStore store;
    private volatile Map<String, List<Check>> byScope = Map.of();
    private volatile PolicyChecks policies = PolicyChecks.NONE;

    void policies(PolicyChecks layer) {
        this.policies = layer;
    }

    CheckCatalog(CheckStore store) {
        this.store = store;
    }

    /** Re-reads every check; true when something changed. */
    synchronized boolean reload() {
        Map<String, List<Check>> fresh = store.all().stream().collect(Collectors.groupingBy(Check::scopeKey));
        boolean changed = !fresh.equals(byScope);
        byScope = fresh;
        return changed;
    }

    /** Every check that reaches the agent, disabled overrides included, by key. */
    List<Resolved> resolve(UUID agentId, String site) {
        Map<String, Resolved> out = new LinkedHashMap<>();
        Map<String, List<Check>> snapshot = byScope;
        List<String> layers = new ArrayList<>();
        layers.add("fleet");
        layers.add("policy");
        if (site != null) {
            layers.add("site:" + site);
        }
        layers.add("agent:" + agentId);
        for (String layer : layers) {
            for (Check c : layer.equals("policy") ? policies.forAgent(agentId) : snapshot.getOrDefault(layer, List.of())) {
                Resolved inherited = out.get(c.key());
                List<UUID> replaces = new ArrayList<>();
                if (inherited != null) {
                    replaces.addAll(inherited.replaces());
                    replaces.add(inherited.check().id());
                }
                out.put(c.key(), new Resolved(c, List.copyOf(replaces)));
            }
        }
        return List.copyOf(out.values());
    }

    /** The enabled checks that apply to the agent. */
    List<Check> effective(UUID agentId, String site) {
        return resolve(agentId, site).stream().map(Resolved::check).filter(Check::enabled).toList();
    }

    /** True when some check of this kind exists at any scope (lets evaluators skip work early). */
    boolean anyOfKind(String kind) {
        return policies.anyOfKind(kind) || byScope.values().stream().flatMap(List::stream).anyMatch(c -> c.kind().equals(kind));
    }
}
