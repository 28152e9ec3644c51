package com.gururmm.server.agent;

import com.gururmm.server.auth.Principal;
import com.gururmm.server.auth.Role;
import com.gururmm.server.http.ApiException;
import com.gururmm.server.routing.AccessFilter;
import java.util.UUID;

/**
 * The agent scope rule: the server host's own agent is admin-only. It runs as the server's user
 * on the server's machine, so a command there can read the server's data dir, keys and process
 * environment; letting a technician run one would make every technician an admin. Applied by
 * {@link AccessFilter} to routes declared {@code onAgent}, and by the bulk and cancel paths.
 */
public final class ServerHostScope implements AccessFilter.AgentScope {
    /** The per-agent error a technician's batch records for the server host (it is skipped, not run). */
    public static final String BATCH_ERROR = "server host: admin only (this agent runs on the GuruRMM server itself)";

    private final AgentStore store;

    public ServerHostScope(AgentStore store) {
        this.store = store;
    }

    /** May {@code principal} act on an agent whose server-host mark is {@code serverHost}? */
    public static boolean allows(Principal principal, boolean serverHost) {
        return !serverHost || principal.role().includes(Role.ADMIN);
    }

    @Override
    public void check(Principal principal, UUID agentId) {
        // Admins pass without a lookup; an unknown id passes here and gets its 404 from the handler.
        if (!principal.role().includes(Role.ADMIN) && store.isServerHost(agentId)) {
            throw ApiException.forbidden("Agent " + agentId + " is the server host's own agent: only admins may run or cancel "
                    + "commands on it, because it can read the server's data and secrets.");
        }
    }
}
