package com.gururmm.server.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
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

        void advance(Duration d) {
            now = now.plus(d);
        }
    }

    private final MutableClock clock = new MutableClock();
    private final LoginThrottle throttle = new LoginThrottle(clock);

    private boolean fail(String account, String source) {
        LoginThrottle.Decision d = throttle.begin(account, source);
        if (d.refusal() != null) {
            return false;
        }
        d.attempt().failed();
        return true;
    }

    private boolean succeed(String account, String source) {
        LoginThrottle.Decision d = throttle.begin(account, source);
        if (d.refusal() != null) {
            return false;
        }
        d.attempt().succeeded();
        return true;
    }

    @Test
    void freeFailuresThenABackOffThatDoublesUpToTheCap() {
        for (int i = 0; i < LoginThrottle.PAIR_FREE; i++) {
            assertThat(fail("victim", "a")).as("free failure %d", i + 1).isTrue();
        }
        LoginThrottle.Refusal refusal = throttle.begin("victim", "a").refusal();
        assertThat(refusal.scope()).isEqualTo(LoginThrottle.Scope.ACCOUNT_AT_SOURCE);
        assertThat(refusal.retryAfter()).isEqualTo(LoginThrottle.BASE_DELAY);
        assertThat(refusal.firstNotice()).isTrue();
        assertThat(throttle.begin("victim", "a").refusal().firstNotice()).as("one audit entry per lockout step").isFalse();

        clock.advance(LoginThrottle.BASE_DELAY);
        assertThat(fail("victim", "a")).isTrue();
        assertThat(throttle.begin("victim", "a").refusal().retryAfter()).isEqualTo(LoginThrottle.BASE_DELAY.multipliedBy(2));
        clock.advance(LoginThrottle.BASE_DELAY.multipliedBy(2));
        assertThat(fail("victim", "a")).isTrue();
        assertThat(throttle.begin("victim", "a").refusal().retryAfter()).isEqualTo(LoginThrottle.BASE_DELAY.multipliedBy(4));

        assertThat(LoginThrottle.delay(40)).isEqualTo(LoginThrottle.MAX_DELAY);
        assertThat(LoginThrottle.delay(9)).isEqualTo(LoginThrottle.MAX_DELAY);
        assertThat(LoginThrottle.delay(8)).isEqualTo(Duration.ofSeconds(512));
    }

    @Test
    void theRightPasswordFromAnotherSourcePassesWhileTheAccountIsUnderAttack() {
        // One source guessing until refused, and many sources guessing a few times each.
        while (fail("victim", "attacker")) {
            clock.advance(Duration.ofMillis(1));
        }
        for (int s = 0; s < 30; s++) {
            fail("victim", "bot-" + s);
            fail("victim", "bot-" + s);
        }
        assertThat(throttle.begin("victim", "bot-0").refusal()).as("failing sources are held off").isNotNull();
        assertThat(throttle.begin("victim", "bot-99").refusal()).as("the account counter applies to a clean source only once it fails")
                .isNull();
        assertThat(succeed("victim", "home")).as("the victim, from a source with no failures").isTrue();
    }

    @Test
    void aSuccessNeverClearsTheSourcesFailuresAgainstOtherAccounts() {
        for (int i = 0; i < LoginThrottle.SOURCE_FREE; i++) {
            assertThat(succeed("attacker-own", "a")).as("the guesser's own account in between").isTrue();
            assertThat(fail("other-" + i, "a")).isTrue();
        }
        assertThat(throttle.begin("other-next", "a").refusal().scope()).isEqualTo(LoginThrottle.Scope.SOURCE);
    }

    @Test
    void anIpv6SourceIsCountedByItsSlash64() {
        for (int i = 0; i < LoginThrottle.PAIR_FREE; i++) {
            assertThat(fail("victim", "2001:db8:1:2::" + Integer.toHexString(i + 1))).isTrue();
        }
        assertThat(throttle.begin("victim", "2001:db8:1:2:ffff::9").refusal()).as("another address of the same /64").isNotNull();
        assertThat(throttle.begin("victim", "2001:db8:1:3::1").refusal()).as("another /64").isNull();
        assertThat(LoginThrottle.sourceOf("203.0.113.5")).isEqualTo("203.0.113.5");
    }

    @Test
    void aSuccessClearsThatAccountsFailuresAtThatSource() {
        for (int i = 0; i < LoginThrottle.PAIR_FREE - 1; i++) {
            fail("me", "a");
        }
        assertThat(succeed("me", "a")).isTrue();
        for (int i = 0; i < LoginThrottle.PAIR_FREE; i++) {
            assertThat(fail("me", "a")).as("typos before a success are forgiven").isTrue();
        }
        assertThat(throttle.begin("me", "a").refusal()).isNotNull();
    }

    @Test
    void failuresAreForgottenAfterAQuietHour() {
        while (fail("victim", "a")) {
            clock.advance(Duration.ofMillis(1));
        }
        clock.advance(LoginThrottle.FORGET_AFTER.plusSeconds(1));
        for (int i = 0; i < LoginThrottle.PAIR_FREE; i++) {
            assertThat(fail("victim", "a")).isTrue();
        }
    }

    @Test
    void anAttemptThatEndsInNeitherGivesItsSlotBack() {
        for (int i = 0; i < 3 * LoginThrottle.SOURCE_FREE; i++) {
            LoginThrottle.Decision d = throttle.begin("victim", "a");
            assertThat(d.refusal()).isNull();
            d.attempt().settle(); // e.g. the database was down
        }
    }

    @Test
    void parallelGuessesCannotExceedTheFreeFailures() throws Exception {
        AtomicInteger admitted = new AtomicInteger();
        try (var pool = Executors.newFixedThreadPool(16)) {
            for (int i = 0; i < 200; i++) {
                pool.submit(() -> {
                    LoginThrottle.Decision d = throttle.begin("victim", "a");
                    if (d.refusal() == null) {
                        admitted.incrementAndGet();
                        d.attempt().failed();
                    }
                });
            }
        }
        assertThat(admitted.get()).isEqualTo(LoginThrottle.PAIR_FREE);
    }

    @Test
    void reservationsHoldParallelAttemptsBackBeforeTheirResultsAreKnown() {
        for (int i = 0; i < LoginThrottle.PAIR_FREE - 1; i++) {
            fail("victim", "a");
        }
        LoginThrottle.Decision inFlight = throttle.begin("victim", "a");
        assertThat(inFlight.refusal()).isNull();
        assertThat(throttle.begin("victim", "a").refusal()).as("the last free slot is taken by the attempt in flight").isNotNull();
        inFlight.attempt().failed();
        assertThat(throttle.begin("victim", "a").refusal()).isNotNull();
    }
}
