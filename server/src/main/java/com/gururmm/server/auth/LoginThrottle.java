package com.gururmm.server.auth;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Slows password guessing: after {@link #MAX_FAILURES} failed logins for one e-mail or one
 * client address within {@link #WINDOW}, further attempts are refused (429) until the window
 * passes. Per node and in memory: a restart forgives, which is acceptable for a throttle.
 */
final class LoginThrottle {
    static final int MAX_FAILURES = 10;
    static final Duration WINDOW = Duration.ofMinutes(15);

    private record Window(Instant start, int failures) {
    }

    private final ConcurrentHashMap<String, Window> failures = new ConcurrentHashMap<>();
    private final Clock clock;

    LoginThrottle(Clock clock) {
        this.clock = clock;
    }

    boolean isBlocked(String key) {
        Window w = failures.get(key);
        return w != null && w.failures >= MAX_FAILURES && w.start.plus(WINDOW).isAfter(clock.instant());
    }

    void recordFailure(String key) {
        Instant now = clock.instant();
        failures.compute(key, (k, w) -> w == null || w.start.plus(WINDOW).isBefore(now)
                ? new Window(now, 1) : new Window(w.start, w.failures + 1));
        if (failures.size() > 100_000) {
            failures.entrySet().removeIf(e -> e.getValue().start.plus(WINDOW).isBefore(now));
        }
    }

    void recordSuccess(String key) {
        failures.remove(key);
    }
}
