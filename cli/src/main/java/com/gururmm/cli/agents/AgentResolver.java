package com.gururmm.cli.agents;

import com.gururmm.cli.CliException;
import com.gururmm.protocol.api.Agents.AgentSummary;
import com.gururmm.protocol.text.ControlChars;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;

/**
 * Finds the one agent a person means by an id, an id prefix or a hostname.
 *
 * <p>A hostname is whatever the agent says it is, so it must never redirect a command meant
 * for another machine: an agent that names itself after a victim's id (or id prefix) must
 * not receive {@code run --agent <prefix>}. Hence the order:
 * <ol>
 *   <li>a full id is that agent, whatever any hostname says;</li>
 *   <li>otherwise the reference is compared against every hostname and, when it is at least
 *       {@link #MIN_PREFIX} characters, every id prefix; it must match exactly one agent. A
 *       reference that is one agent's hostname and another's id prefix is ambiguous, not a
 *       hostname win.</li>
 * </ol>
 * Short prefixes are not ids at all: with a handful of hex digits two agents' ids collide
 * easily, and a rogue hostname could be passed off as one. Anything ambiguous is refused
 * with the candidates listed, because running a script on the wrong machine is worse than
 * asking again.
 */
public final class AgentResolver {
    /** Shortest id prefix accepted: 6 hex digits are 16.7 million values, unique in any real fleet. */
    public static final int MIN_PREFIX = 6;

    private final List<AgentSummary> agents;

    public AgentResolver(List<AgentSummary> agents) {
        this.agents = agents;
    }

    public AgentSummary resolve(String reference) {
        String ref = reference.strip();
        if (ref.isEmpty()) {
            throw CliException.usage("An empty agent name was given; use an agent id, id prefix or hostname.");
        }
        UUID fullId = parseFullId(ref);
        if (fullId != null) {
            return agents.stream().filter(a -> a.id().equals(fullId)).findFirst().orElseThrow(
                    () -> CliException.usage("No agent with id " + fullId + "; 'gururmm agents list' shows them."));
        }
        String prefix = ref.toLowerCase(Locale.ROOT);
        boolean prefixUsable = prefix.length() >= MIN_PREFIX;
        List<AgentSummary> matches = new ArrayList<>();
        List<String> how = new ArrayList<>();
        for (AgentSummary a : agents) {
            boolean byHostname = a.hostname() != null && a.hostname().equalsIgnoreCase(ref);
            boolean byId = prefixUsable && a.id().toString().startsWith(prefix);
            if (byHostname || byId) {
                matches.add(a);
                how.add(byHostname && byId ? "hostname and id prefix" : byHostname ? "hostname" : "id prefix");
            }
        }
        if (matches.size() == 1) {
            return matches.getFirst();
        }
        if (matches.isEmpty()) {
            throw CliException.usage(noMatch(ref, prefix));
        }
        List<String> candidates = new ArrayList<>();
        for (int i = 0; i < matches.size(); i++) {
            AgentSummary a = matches.get(i);
            candidates.add(a.id() + " (" + ControlChars.escape(a.hostname()) + ", " + ControlChars.escape(a.status()) + ", by " + how.get(i) + ")");
        }
        throw CliException.usage("'" + ControlChars.escape(ref) + "' is ambiguous: " + matches.size() + " agents match: "
                + String.join(", ", candidates) + ". Use the full id.");
    }

    private String noMatch(String ref, String prefix) {
        String base = "No agent matches '" + ControlChars.escape(ref) + "' by id, id prefix or hostname";
        boolean shortPrefixWouldMatch = !prefix.isEmpty() && agents.stream().anyMatch(a -> a.id().toString().startsWith(prefix));
        if (shortPrefixWouldMatch) {
            return base + "; an id prefix needs at least " + MIN_PREFIX + " characters.";
        }
        return base + "; 'gururmm agents list' shows them.";
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
}
