package com.gururmm.agent.state;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.gururmm.protocol.Json;
import java.io.IOException;
import java.util.Optional;
import java.util.UUID;

/** The agent id and secret the server issued at enrollment; {@code credentials.json}, mode 0600. */
public record Credentials(UUID agentId, String agentToken, String serverUrl) {
    private static final String FILE = "credentials.json";

    public static Optional<Credentials> load(StateDir state) {
        return state.read(state.resolve(FILE)).flatMap(text -> {
            try {
                Credentials c = Json.mapper().readValue(text, Credentials.class);
                return c.agentId() == null || c.agentToken() == null ? Optional.empty() : Optional.of(c);
            } catch (JsonProcessingException e) {
                state.reportProblem("credentials.json is unreadable (" + e.getOriginalMessage() + "); the agent will enroll again");
                return Optional.empty();
            }
        });
    }

    /** Returns whether the credential is on disk (false: reported as a state problem). */
    public boolean save(StateDir state) {
        try {
            state.writeAtomically(state.resolve(FILE), Json.mapper().writeValueAsString(this), true);
            return true;
        } catch (IOException e) {
            state.reportProblem("cannot save credentials to " + state.resolve(FILE) + " (" + e.getMessage()
                    + "); the agent will have to enroll again after a restart");
            return false;
        }
    }
}
