package com.gururmm.server.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Notification delivery settings (docs/OPERATIONS.md, "Notifications").
 *
 * @param retrySchedule   wait before the 2nd, 3rd, ... attempt (the last value repeats); each wait gets ±20 % jitter
 * @param maxAttempts     attempts before a delivery is marked failed (the first send counts)
 * @param connectTimeout  TCP (and TLS) connect limit per attempt
 * @param readTimeout     limit for the receiver's answer (webhook response, each SMTP reply)
 * @param catchUpWindow   at start, alert changes this recent are routed if they never were (needs the alert engine's source)
 * @param retention       how long finished deliveries and their attempt log are kept
 */
public record NotificationSettings(List<Duration> retrySchedule, int maxAttempts, Duration connectTimeout, Duration readTimeout,
                                   Duration catchUpWindow, Duration retention) {
    public static final String RETRY = "GURURMM_NOTIFY_RETRY_SECONDS";
    public static final String ATTEMPTS = "GURURMM_NOTIFY_MAX_ATTEMPTS";
    public static final String CONNECT = "GURURMM_NOTIFY_CONNECT_TIMEOUT_SECONDS";
    public static final String READ = "GURURMM_NOTIFY_READ_TIMEOUT_SECONDS";
    public static final String CATCH_UP = "GURURMM_NOTIFY_CATCH_UP_HOURS";
    public static final String RETENTION = "GURURMM_NOTIFY_RETENTION_DAYS";

    public NotificationSettings {
        retrySchedule = List.copyOf(retrySchedule);
    }

    public static NotificationSettings defaults() {
        return fromMap(Map.of());
    }

    public static NotificationSettings fromMap(Map<String, String> env) {
        String schedule = env.getOrDefault(RETRY, "");
        List<Duration> waits = new ArrayList<>();
        for (String part : (schedule.isBlank() ? "5,30,120,600,1800,3600" : schedule).split(",")) {
            try {
                double seconds = Double.parseDouble(part.trim());
                if (seconds < 0.1 || seconds > 24 * 3600) {
                    throw new NumberFormatException();
                }
                waits.add(Duration.ofMillis(Math.round(seconds * 1000)));
            } catch (NumberFormatException e) {
                throw new ConfigException(RETRY + " is '" + schedule + "'; give comma-separated waits in seconds between 0.1 and 86400, e.g. 5,30,120,600.");
            }
        }
        return new NotificationSettings(waits,
                integer(env, ATTEMPTS, 8, 1, 100),
                Duration.ofSeconds(integer(env, CONNECT, 5, 1, 300)),
                Duration.ofSeconds(integer(env, READ, 10, 1, 600)),
                Duration.ofHours(integer(env, CATCH_UP, 24, 0, 24 * 30)),
                Duration.ofDays(integer(env, RETENTION, 30, 1, 3650)));
    }

    /** The wait after failed attempt number {@code attempt} (1-based), before jitter. */
    public Duration waitAfter(int attempt) {
        return retrySchedule.get(Math.min(attempt, retrySchedule.size()) - 1);
    }

    private static int integer(Map<String, String> env, String key, int fallback, int min, int max) {
        String value = env.getOrDefault(key, "").trim();
        if (value.isEmpty()) {
            return fallback;
        }
        try {
            int parsed = Integer.parseInt(value);
            if (parsed >= min && parsed <= max) {
                return parsed;
            }
        } catch (NumberFormatException e) {
            // worded below
        }
        throw new ConfigException(key + " is '" + value + "'; it must be a whole number between " + min + " and " + max + ".");
    }

    void describe(Map<String, String> out) {
        out.put(RETRY, String.join(",", retrySchedule.stream().map(d -> Double.toString(d.toMillis() / 1000.0)).toList()));
        out.put(ATTEMPTS, Integer.toString(maxAttempts));
        out.put(CONNECT, Long.toString(connectTimeout.toSeconds()));
        out.put(READ, Long.toString(readTimeout.toSeconds()));
        out.put(CATCH_UP, Long.toString(catchUpWindow.toHours()));
        out.put(RETENTION, Long.toString(retention.toDays()));
    }
}
