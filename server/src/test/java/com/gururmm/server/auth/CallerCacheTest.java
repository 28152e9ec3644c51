package com.gururmm.server.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class CallerCacheTest {
    private static final Instant NOW = Instant.parse("2026-12-04T12:00:00Z");
    private final Principal alice = new Principal(UUID.randomUUID(), "alice@example.com", Role.TECHNICIAN, Scope.ALL);

    @Test
    void aCallerIsServedUntilSomethingMayHaveChangedIt() {
        CallerCache cache = new CallerCache();
        cache.put("token", alice, NOW.plusSeconds(3600), cache.generation(), NOW);
        assertThat(cache.get("token", NOW.plusSeconds(1))).contains(alice);
        assertThat(cache.get("other", NOW)).isEmpty();

        cache.forgetAll();
        assertThat(cache.get("token", NOW.plusSeconds(1))).isEmpty();
    }

    @Test
    void aCallerReadWhileAChangeRanIsNeverServed() {
        CallerCache cache = new CallerCache();
        long readIn = cache.generation();
        cache.forgetAll(); // a revocation lands while the old row is being read
        cache.put("token", alice, NOW.plusSeconds(3600), readIn, NOW);
        assertThat(cache.get("token", NOW)).isEmpty();
    }

    @Test
    void anEntryDiesWithItsTokenAndAfterTheLongestHoldAtTheLatest() {
        CallerCache cache = new CallerCache();
        cache.put("short", alice, NOW.plusSeconds(5), cache.generation(), NOW);
        cache.put("long", alice, NOW.plusSeconds(3600), cache.generation(), NOW);
        assertThat(cache.get("short", NOW.plusSeconds(5))).as("at the token's expiry").isEmpty();
        assertThat(cache.get("long", NOW.plus(CallerCache.LONGEST).minusMillis(1))).contains(alice);
        assertThat(cache.get("long", NOW.plus(CallerCache.LONGEST))).isEmpty();
        assertThat(CallerCache.LONGEST).isLessThanOrEqualTo(Duration.ofMinutes(1));
    }
}
