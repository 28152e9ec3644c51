package com.gururmm.cli.run;

import com.gururmm.cli.CliException;
import com.gururmm.cli.agents.AgentFilter;
import com.gururmm.cli.agents.AgentResolver;
import com.gururmm.cli.agents.Agents;
import com.gururmm.client.GuruClient;
import com.gururmm.protocol.api.Agents.AgentSummary;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The agents a run goes to: every {@code --agent} plus every agent the filter matches,
 * each once, in the order given. An unknown or ambiguous name stops the whole run before
 * anything is submitted, so a typo never results in a partial rollout.
 */
final class Targets {
    private Targets() {
    }

    static List<AgentSummary> resolve(GuruClient client, List<String> references, AgentFilter filter) {
        if (references.isEmpty() && filter.isEmpty()) {
            throw CliException.usage("Say where to run: --agent ID|HOSTNAME (repeatable) or a filter (--hostname, --os, --site, --status).");
        }
        if (references.size() == 1 && filter.isEmpty()) {
            return List.of(Agents.resolve(client, references.getFirst()));
        }
        Map<UUID, AgentSummary> targets = new LinkedHashMap<>();
        if (!references.isEmpty()) {
            AgentResolver resolver = new AgentResolver(client.agents());
            references.forEach(ref -> {
                AgentSummary agent = resolver.resolve(ref);
                targets.putIfAbsent(agent.id(), agent);
            });
        }
        if (!filter.isEmpty()) {
            List<AgentSummary> matching = client.agents(filter.query());
            if (matching.isEmpty() && references.isEmpty()) {
                throw CliException.usage("No agents match the filter; 'gururmm agents list' with the same options shows what it matches.");
            }
            matching.forEach(a -> targets.putIfAbsent(a.id(), a));
        }
        return List.copyOf(targets.values());
    }
}
