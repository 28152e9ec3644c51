package com.gururmm.server.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class LoginThrottleTest {
    private static final class MutableClock extends Clock {
        Instant now = Instant.parse("2026-01-01T00:00:00Z");

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    @Test
    void allowsTenAttemptsWithoutSuccessThenBlocksUntilTheWindowPasses() {
        MutableClock clock = new MutableClock();
        LoginThrottle throttle = new LoginThrottle(clock);
        for (int i = 0; i < LoginThrottle.MAX_FAILURES; i++) {
            assertThat(throttle.tryAcquire("k")).isTrue();
        }
        assertThat(throttle.tryAcquire("k")).isFalse();
        assertThat(throttle.tryAcquire("other")).isTrue();
        clock.now = clock.now.plus(LoginThrottle.WINDOW).plus(Duration.ofSeconds(1));
        assertThat(throttle.tryAcquire("k")).isTrue();
    }

    @Test
    void successClearsTheCount() {
        LoginThrottle throttle = new LoginThrottle(new MutableClock());
        for (int i = 0; i < LoginThrottle.MAX_FAILURES - 1; i++) {
            throttle.tryAcquire("k");
        }
        throttle.recordSuccess("k");
        for (int i = 0; i < LoginThrottle.MAX_FAILURES; i++) {
            assertThat(throttle.tryAcquire("k")).isTrue();
        }
    }

    @Test
    void parallelAttemptsCannotExceedTheLimit() throws Exception {
        LoginThrottle throttle = new LoginThrottle(new MutableClock());
        java.util.concurrent.atomic.AtomicInteger allowed = new java.util.concurrent.atomic.AtomicInteger();
        try (var pool = java.util.concurrent.Executors.newFixedThreadPool(16)) {
            for (int i = 0; i < 200; i++) {
                pool.submit(() -> {
                    if (throttle.tryAcquire("k")) {
                        allowed.incrementAndGet();
                    }
                });
            }
        }
        assertThat(allowed.get()).isEqualTo(LoginThrottle.MAX_FAILURES);
    }
}
