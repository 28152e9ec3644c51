package com.gururmm.server.files;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Limits of file transfer (docs/OPERATIONS.md, "File transfer"), read once at start.
 *
 * @param maxBytes the largest file uploaded to or downloaded from an agent ({@code GURURMM_FILES_MAX_MB}, default 1024)
 * @param agentTimeout how long the server waits for the agent's next answer (start, an acknowledgement, the
 *                     final check) before it gives the transfer up ({@code GURURMM_FILES_AGENT_TIMEOUT_SECONDS}, default 60)
 */
public record FileSettings(long maxBytes, Duration agentTimeout) {

    public static FileSettings defaults() {
        return fromMap(Map.of());
    }

    public static FileSettings fromMap(Map<String, String> env) {
        return new FileSettings(integer(env, "GURURMM_FILES_MAX_MB", 1024, 1, 1024 * 1024) * 1024L * 1024L,
                Duration.ofSeconds(integer(env, "GURURMM_FILES_AGENT_TIMEOUT_SECONDS", 60, 1, 3600)));
    }

    public Map<String, String> describe() {
        Map<String, String> out = new LinkedHashMap<>();
        out.put("GURURMM_FILES_MAX_MB", Long.toString(maxBytes / 1024 / 1024));
        out.put("GURURMM_FILES_AGENT_TIMEOUT_SECONDS", Long.toString(agentTimeout.toSeconds()));
        return out;
    }

    private static int integer(Map<String, String> env, String key, int fallback, int min, int max) {
        return com.gururmm.server.config.EnvSettings.integer(env, key, fallback, min, max);
    }
}
