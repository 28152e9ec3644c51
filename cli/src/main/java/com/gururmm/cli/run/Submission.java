package com.gururmm.cli.run;

import java.util.UUID;

/**
 * One agent's share of a run: the command the server queued for it, or why it refused.
 * Also the JSON shape printed without {@code --wait}.
 */
record Submission(UUID agentId, String hostname, UUID commandId, String status, String error) {

    boolean submitted() {
        return commandId != null;
    }
}
