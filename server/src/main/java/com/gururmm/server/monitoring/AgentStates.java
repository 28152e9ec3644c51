package com.gururmm.server.monitoring;

import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * The evaluators' memory per agent and check ({@link ThresholdEvaluator}, {@link AgentCheckChannel}),
 * created knowing whether the check's alert is unresolved <em>now</em>: the agent's open alerts are
 * read from the database once, when its first state is made, and forgotten when the agent connects.
 *
 * <p>Why not once at start: in a cluster an agent moves between nodes, and the node it moves to
 * must know about an alert another node opened after this one started, or a check that recovers
 * there would never resolve it. The agent's results and samples are evaluated on the node that
 * holds its connection, so a (re)connect is exactly when this node's memory of it may be stale.
 */
final class AgentStates<S> {
    private record Agent<S>(Set<String> openAtLoad, Map<String, S> byCheck) {
    }

    private final Function<UUID, Set<String>> openCheckKeys;
    private final Map<UUID, Agent<S>> agents = new ConcurrentHashMap<>();

    /** {@code openCheckKeys}: the check keys of the agent's unresolved alerts (one query). */
    AgentStates(Function<UUID, Set<String>> openCheckKeys) {
        this.openCheckKeys = openCheckKeys;
    }

    /** The state of the agent's check, made by {@code create(alerting)} the first time. */
    S get(UUID agentId, String checkKey, Function<Boolean, S> create) {
        Agent<S> agent = agents.computeIfAbsent(agentId, id -> {
            Set<String> open = ConcurrentHashMap.newKeySet();
            open.addAll(openCheckKeys.apply(id));
            return new Agent<>(open, new ConcurrentHashMap<>());
        });
        return agent.byCheck().computeIfAbsent(checkKey, k -> create.apply(agent.openAtLoad().contains(k)));
    }

    /** The check's alert was resolved because the check went away: start clean if it comes back. */
    void forget(UUID agentId, String checkKey) {
        Agent<S> agent = agents.get(agentId);
        if (agent != null) {
            agent.byCheck().remove(checkKey);
            agent.openAtLoad().remove(checkKey);
        }
    }

    /** The agent connected (here or on another node): what this node remembers of it may be stale. */
    void forgetAgent(UUID agentId) {
        agents.remove(agentId);
    }
}
