package com.gururmm.server.command;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Limits of live command output on the server (docs/OPERATIONS.md, "Live command output").
 *
 * @param maxChars  stored chunk text per command; chunks past it are not stored and a {@code server_cap} marker is
 *                  ({@code GURURMM_COMMAND_OUTPUT_MAX_KB}, default 4096: twice the agent's default, so an agent's own
 *                  cap is what normally ends streaming)
 * @param retention chunks are deleted this long after they arrived ({@code GURURMM_COMMAND_OUTPUT_RETENTION_HOURS},
 *                  default 168 = 7 days); the command's result is kept as before
 */
public record OutputSettings(long maxChars, Duration retention) {

    public static OutputSettings defaults() {
        return fromMap(Map.of());
    }

    public static OutputSettings fromMap(Map<String, String> env) {
        return new OutputSettings(integer(env, "GURURMM_COMMAND_OUTPUT_MAX_KB", 4096, 16, 1024 * 1024) * 1024L,
                Duration.ofHours(integer(env, "GURURMM_COMMAND_OUTPUT_RETENTION_HOURS", 168, 1, 24 * 3650)));
    }

    public Map<String, String> describe() {
        Map<String, String> out = new LinkedHashMap<>();
        out.put("GURURMM_COMMAND_OUTPUT_MAX_KB", Long.toString(maxChars / 1024));
        out.put("GURURMM_COMMAND_OUTPUT_RETENTION_HOURS", Long.toString(retention.toHours()));
        return out;
    }

    private static int integer(Map<String, String> env, String key, int fallback, int min, int max) {
        return com.gururmm.server.config.EnvSettings.integer(env, key, fallback, min, max);
    }
}
