package com.gururmm.server.monitoring;

import com.gururmm.server.agent.AgentStore;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/** Hostname and site of agents, cached (read on first use, forgotten when the agent connects again). */
final class AgentDirectory {
    record AgentInfo(UUID id, String hostname, String site) {
    }

    private final AgentStore agents;
    private final Map<UUID, AgentInfo> cache = new ConcurrentHashMap<>();

    AgentDirectory(AgentStore agents) {
        this.agents = agents;
    }

    Optional<AgentInfo> get(UUID id) {
        AgentInfo hit = cache.get(id);
        if (hit != null) {
            return Optional.of(hit);
        }
        Optional<AgentInfo> found = agents.findById(id).map(r -> new AgentInfo(r.id(), r.hostname(), r.site()));
        found.ifPresent(info -> cache.put(id, info));
        return found;
    }

    void forget(UUID id) {
        cache.remove(id);
    }
}
