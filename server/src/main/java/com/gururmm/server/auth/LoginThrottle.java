package com.gururmm.server.auth;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Slows password guessing: after {@link #MAX_FAILURES} login attempts without a success for one
 * e-mail or one client address within {@link #WINDOW}, further attempts are refused (429) until
 * the window passes. An attempt is counted before its password is checked. Per node and in memory: a restart forgives, which is acceptable for a throttle.
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

    /**
     * Takes one attempt for {@code key}, atomically: false once {@link #MAX_FAILURES} attempts
     * without a success have been taken within {@link #WINDOW}.
     */
    boolean tryAcquire(String key) {
        Instant now = clock.instant();
        boolean[] allowed = {false};
        failures.compute(key, (k, w) -> {
            Window current = w == null || w.start.plus(WINDOW).isBefore(now) ? new Window(now, 0) : w;
            if (current.failures >= MAX_FAILURES) {
                return current;
            }
            allowed[0] = true;
            return new Window(current.start, current.failures + 1);
        });
        if (failures.size() > 100_000) {
            failures.entrySet().removeIf(e -> e.getValue().start.plus(WINDOW).isBefore(now));
        }
        return allowed[0];
    }

    void recordSuccess(String key) {
        failures.remove(key);
    }
}
