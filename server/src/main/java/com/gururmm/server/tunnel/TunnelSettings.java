package com.gururmm.server.tunnel;

import com.gururmm.server.config.ConfigException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Limits of interactive shells (docs/OPERATIONS.md, "Remote shell (tunnel)"), read once at start.
 *
 * @param idleTimeout a session with no byte either way for this long is closed ({@code GURURMM_TUNNEL_IDLE_SECONDS})
 * @param maxLength a session is closed at this age whatever it does ({@code GURURMM_TUNNEL_MAX_SECONDS})
 * @param maxPerAgent open sessions one agent may have at once ({@code GURURMM_TUNNEL_MAX_PER_AGENT})
 * @param reattachGrace how long a session without a client waits for one to reattach ({@code GURURMM_TUNNEL_REATTACH_SECONDS})
 * @param windowBytes output bytes the agent may send ahead of the client's acknowledgement; also the
 *                    replay buffer's bound ({@code GURURMM_TUNNEL_WINDOW_KB})
 * @param recording whether transcripts are recorded ({@code GURURMM_TUNNEL_RECORDING}: on/off)
 * @param recordingRetention recordings older than this are deleted ({@code GURURMM_TUNNEL_RECORDING_RETENTION_DAYS})
 * @param recordingMaxBytes a recording stops growing at this size ({@code GURURMM_TUNNEL_RECORDING_MAX_MB})
 */
public record TunnelSettings(Duration idleTimeout, Duration maxLength, int maxPerAgent, Duration reattachGrace, long windowBytes,
                             boolean recording, Duration recordingRetention, long recordingMaxBytes) {

    public static TunnelSettings defaults() {
        return fromMap(Map.of());
    }

    public static TunnelSettings fromMap(Map<String, String> env) {
        String recording = env.getOrDefault("GURURMM_TUNNEL_RECORDING", "on").trim();
        if (!recording.equals("on") && !recording.equals("off") && !recording.isEmpty()) {
            throw new ConfigException("GURURMM_TUNNEL_RECORDING is '" + recording + "'; set it to 'on' (record shell transcripts) or 'off'.");
        }
        return new TunnelSettings(
                Duration.ofSeconds(integer(env, "GURURMM_TUNNEL_IDLE_SECONDS", 900, 1, 7 * 24 * 3600)),
                Duration.ofSeconds(integer(env, "GURURMM_TUNNEL_MAX_SECONDS", 8 * 3600, 1, 7 * 24 * 3600)),
                integer(env, "GURURMM_TUNNEL_MAX_PER_AGENT", 4, 1, 100),
                Duration.ofSeconds(integer(env, "GURURMM_TUNNEL_REATTACH_SECONDS", 60, 1, 3600)),
                integer(env, "GURURMM_TUNNEL_WINDOW_KB", 1024, 16, 64 * 1024) * 1024L,
                !recording.equals("off"),
                Duration.ofDays(integer(env, "GURURMM_TUNNEL_RECORDING_RETENTION_DAYS", 30, 1, 3650)),
                integer(env, "GURURMM_TUNNEL_RECORDING_MAX_MB", 50, 1, 10_000) * 1024L * 1024L);
    }

    public Map<String, String> describe() {
        Map<String, String> out = new LinkedHashMap<>();
        out.put("GURURMM_TUNNEL_IDLE_SECONDS", Long.toString(idleTimeout.toSeconds()));
        out.put("GURURMM_TUNNEL_MAX_SECONDS", Long.toString(maxLength.toSeconds()));
        out.put("GURURMM_TUNNEL_MAX_PER_AGENT", Integer.toString(maxPerAgent));
        out.put("GURURMM_TUNNEL_REATTACH_SECONDS", Long.toString(reattachGrace.toSeconds()));
        out.put("GURURMM_TUNNEL_WINDOW_KB", Long.toString(windowBytes / 1024));
        out.put("GURURMM_TUNNEL_RECORDING", recording ? "on" : "off");
        out.put("GURURMM_TUNNEL_RECORDING_RETENTION_DAYS", Long.toString(recordingRetention.toDays()));
        out.put("GURURMM_TUNNEL_RECORDING_MAX_MB", Long.toString(recordingMaxBytes / 1024 / 1024));
        return out;
    }

    private static int integer(Map<String, String> env, String key, int fallback, int min, int max) {
        return com.gururmm.server.config.EnvSettings.integer(env, key, fallback, min, max);
    }
}
