package com.gururmm.agent.state;

import java.io.IOException;
import java.util.UUID;

/**
 * The agent's {@code device_id} (SPEC section 5): minted once and kept in
 * {@code <state dir>/.device-id}. If it cannot be kept, the agent still runs with a
 * session-only id but says so loudly (the server's machine_uid dedup keeps the fleet clean).
 */
public final class Identity {
    private Identity() {
    }

    public static String deviceId(StateDir state) {
        var file = state.resolve(".device-id");
        var existing = state.read(file).map(String::trim).filter(s -> !s.isEmpty());
        if (existing.isPresent()) {
            return existing.get();
        }
        String minted = UUID.randomUUID().toString();
        try {
            state.writeAtomically(file, minted + "\n", false);
        } catch (IOException e) {
            state.reportProblem("cannot persist device id to " + file + " (" + e.getMessage()
                    + "); using a temporary id " + minted + " until the state directory is writable");
        }
        return minted;
    }
}
