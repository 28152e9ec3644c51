package com.gururmm.server.auth;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Authenticated callers by bearer token, so a warm request skips the signature check and the four
 * or five reads behind it (session, account, MFA policy, scope). A cache that answered after a
 * revocation would be a hole, so it is emptied, at the start and again at the end, by every
 * request that may change a caller (any POST, PUT, PATCH or DELETE whose route does not declare
 * {@code changesNoCaller}) and by every new session; an entry also dies at its token's expiry and
 * after {@link #LONGEST} at the latest.
 *
 * <p>Emptying bumps a generation, and an entry counts only in the generation it was read in: a
 * read that overlapped a change can be stored, but never served. It serves one node: a cluster
 * (where the change may happen on another node) authenticates every request from the database.
 */
final class CallerCache {
    /** A bound for changes made behind the server's back (an operator editing the database). */
    static final Duration LONGEST = Duration.ofSeconds(30);
    private static final int MAX_ENTRIES = 10_000;

    private record Entry(Principal principal, Instant until, long generation) {
    }

    private final ConcurrentHashMap<String, Entry> byToken = new ConcurrentHashMap<>();
    private final AtomicLong generation = new AtomicLong();

    /** Call before reading a caller from the database; hand the number to {@link #put}. */
    long generation() {
        return generation.get();
    }

    Optional<Principal> get(String token, Instant now) {
        Entry entry = byToken.get(token);
        if (entry == null) {
            return Optional.empty();
        }
        if (entry.generation() != generation.get() || !now.isBefore(entry.until())) {
            byToken.remove(token, entry);
            return Optional.empty();
        }
        return Optional.of(entry.principal());
    }

    /** @param readIn {@link #generation()} before the caller was read; @param expiresAt the token's own expiry */
    void put(String token, Principal principal, Instant expiresAt, long readIn, Instant now) {
        if (readIn != generation.get()) {
            return; // something changed while it was read
        }
        if (byToken.size() >= MAX_ENTRIES) {
            byToken.clear(); // a full cache of live tokens is rare; starting over is cheaper than ordering them
        }
        Instant latest = now.plus(LONGEST);
        byToken.put(token, new Entry(principal, expiresAt.isBefore(latest) ? expiresAt : latest, readIn));
    }

    /** Forget every caller: something that defines one may have changed. */
    void forgetAll() {
        generation.incrementAndGet();
        byToken.clear();
    }
}
