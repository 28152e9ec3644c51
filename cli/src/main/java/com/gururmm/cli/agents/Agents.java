package com.gururmm.cli.agents;

import com.gururmm.client.GuruApiException;
import com.gururmm.client.GuruClient;
import com.gururmm.protocol.api.Agents.AgentSummary;
import com.gururmm.cli.CliException;
import java.util.UUID;

/** Resolves an agent reference against the server. */
public final class Agents {
    private Agents() {
    }

    /** A full id costs one lookup; a prefix or hostname needs the list. */
    public static AgentSummary resolve(GuruClient client, String reference) {
        UUID id = AgentResolver.parseFullId(reference);
        if (id != null) {
            try {
                var a = client.agent(id);
                return new AgentSummary(a.id(), a.hostname(), a.os(), a.arch(), a.version(), a.channel(), a.status(),
                        a.lastSeen(), a.machineUid(), a.site(), a.serverHost());
            } catch (GuruApiException e) {
                if (e.status() == 404) {
                    throw CliException.usage("No agent with id " + id + "; 'gururmm agents list' shows them.");
                }
                throw e;
            }
        }
        return new AgentResolver(client.agents()).resolve(reference);
    }
}
