package com.gururmm.cli.agents;

import com.gururmm.cli.CliException;
import com.gururmm.protocol.api.Agents.AgentSummary;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * Finds the one agent a person means by an id, an id prefix (as shown in tables) or a
 * hostname. Hostnames win over prefixes, since {@code db01} could be both; anything that
 * matches more than one agent is refused with the candidates listed, because running a
 * script on the wrong machine is worse than asking again.
 */
public final class AgentResolver {
    private final List<AgentSummary> agents;

    public AgentResolver(List<AgentSummary> agents) {
        this.agents = agents;
    }

    public AgentSummary resolve(String reference) {
        String ref = reference.strip();
        if (ref.isEmpty()) {
            throw CliException.usage("An empty agent name was given; use an agent id, id prefix or hostname.");
        }
        List<AgentSummary> byHostname = agents.stream().filter(a -> a.hostname() != null && a.hostname().equalsIgnoreCase(ref)).toList();
        if (!byHostname.isEmpty()) {
            return single(ref, byHostname, "hostname");
        }
        String prefix = ref.toLowerCase(Locale.ROOT);
        List<AgentSummary> byId = agents.stream().filter(a -> a.id().toString().startsWith(prefix)).toList();
        if (!byId.isEmpty()) {
            return single(ref, byId, "id prefix");
        }
        throw CliException.usage("No agent matches '" + ref + "' by id, id prefix or hostname; 'gururmm agents list' shows them.");
    }

    /** A full UUID is used as it is; anything else needs the agent list. */
    public static UUID parseFullId(String reference) {
        try {
            UUID id = UUID.fromString(reference.strip());
            return id.toString().equalsIgnoreCase(reference.strip()) ? id : null;
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static AgentSummary single(String ref, List<AgentSummary> matches, String how) {
        if (matches.size() == 1) {
            return matches.getFirst();
        }
        String candidates = matches.stream()
                .map(a -> a.id() + " (" + a.hostname() + ", " + a.status() + ")")
                .collect(Collectors.joining(", "));
        throw CliException.usage("'" + ref + "' is ambiguous: " + matches.size() + " agents match by " + how + ": "
                + candidates + ". Use a longer id prefix or the full id.");
    }
}
