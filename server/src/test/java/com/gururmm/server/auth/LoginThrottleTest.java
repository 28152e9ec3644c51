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
    void blocksAfterTenFailuresUntilTheWindowPasses() {
        MutableClock clock = new MutableClock();
        LoginThrottle throttle = new LoginThrottle(clock);
        for (int i = 0; i < LoginThrottle.MAX_FAILURES - 1; i++) {
            throttle.recordFailure("k");
        }
        assertThat(throttle.isBlocked("k")).isFalse();
        throttle.recordFailure("k");
        assertThat(throttle.isBlocked("k")).isTrue();
        assertThat(throttle.isBlocked("other")).isFalse();
        clock.now = clock.now.plus(LoginThrottle.WINDOW).plus(Duration.ofSeconds(1));
        assertThat(throttle.isBlocked("k")).isFalse();
    }

    @Test
    void successClearsTheCount() {
        LoginThrottle throttle = new LoginThrottle(new MutableClock());
        for (int i = 0; i < LoginThrottle.MAX_FAILURES - 1; i++) {
            throttle.recordFailure("k");
        }
        throttle.recordSuccess("k");
        throttle.recordFailure("k");
        assertThat(throttle.isBlocked("k")).isFalse();
    }
}
