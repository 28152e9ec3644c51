package com.gururmm.server.auth;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Slows password guessing without handing an attacker a way to lock real users out.
 *
 * <p>Three counters of <em>failed</em> logins (never of attempts), each with exponential
 * back-off: after its free failures, each further failure doubles a lockout (from
 * {@link #BASE_DELAY} up to {@link #MAX_DELAY}) during which that counter refuses attempts (429):
 * <ul>
 *   <li><b>source</b> (client address, across all accounts, {@link #SOURCE_FREE} free): a guesser
 *       cannot spread guesses over many accounts, and logging in to one's own account in between
 *       does not help: a success never clears the source's failures against other accounts;</li>
 *   <li><b>account at source</b> (e-mail + address, {@link #PAIR_FREE} free): the usual lockout
 *       for one account, but only where the guesses come from;</li>
 *   <li><b>account</b> (e-mail, everywhere, {@link #ACCOUNT_FREE} free): catches guesses spread
 *       over many addresses. It applies only to sources that are themselves failing (any failure
 *       or attempt in flight in their source counter), so the right password from a clean source
 *       still passes while the account is under attack. The price: a botnet of fresh addresses
 *       gets one guess per address before this counter applies to each; the source counter and
 *       the audit trail bound and show that.</li>
 * </ul>
 * A success clears that account's and that pair's failures, and takes the pair's failures off
 * the source's count, nothing else. A counter is forgotten after {@link #FORGET_AFTER} without
 * failures.
 *
 * <p>Parallel guesses: an attempt reserves a slot in each counter it passes before the (slow)
 * password check, atomically per counter; reservations count like failures, and beyond the free
 * failures only one attempt may be in flight, so a burst cannot exceed the limits.
 *
 * <p>An IPv6 source is counted by its /64: one machine commonly holds a whole /64, so counting
 * single addresses would give a guesser 2^64 fresh sources.
 *
 * <p>Per node and in memory: a restart forgives, which is acceptable for a throttle.
 */
final class LoginThrottle {
    static final int SOURCE_FREE = 10;
    static final int PAIR_FREE = 5;
    static final int ACCOUNT_FREE = 20;
    static final Duration BASE_DELAY = Duration.ofSeconds(2);
    static final Duration MAX_DELAY = Duration.ofMinutes(15);
    static final Duration FORGET_AFTER = Duration.ofHours(1);

    /** Which counter refused. */
    enum Scope { SOURCE, ACCOUNT_AT_SOURCE, ACCOUNT }

    /** A refused attempt: {@code firstNotice} is true once per counter per failure level, for the audit log. */
    record Refusal(Scope scope, Duration retryAfter, boolean firstNotice) {
    }

    private record Counter(int failures, int pending, Instant lastFailure, Instant lockedUntil, int noticedAt) {
        static final Counter EMPTY = new Counter(0, 0, Instant.EPOCH, Instant.EPOCH, -1);

        boolean idle(Instant now) {
            return pending == 0 && now.isAfter(lastFailure.plus(FORGET_AFTER)) && !now.isBefore(lockedUntil);
        }
    }

    /** One login attempt that passed the throttle; report how it ended with exactly one of its methods. */
    final class Attempt {
        private final String account;
        private final String source;
        private final boolean accountReserved;
        private boolean settled;

        private Attempt(String account, String source, boolean accountReserved) {
            this.account = account;
            this.source = source;
            this.accountReserved = accountReserved;
        }

        void failed() {
            settled = true;
            Instant now = clock.instant();
            fail(sourceKey(source), SOURCE_FREE, true, now);
            fail(pairKey(account, source), PAIR_FREE, true, now);
            fail(accountKey(account), ACCOUNT_FREE, accountReserved, now);
        }

        void succeeded() {
            settled = true;
            Counter pair = counters.remove(pairKey(account, source));
            int pairFailures = pair == null ? 0 : pair.failures;
            if (accountReserved) {
                release(accountKey(account));
            }
            counters.remove(accountKey(account));
            counters.computeIfPresent(sourceKey(source), (k, c) -> new Counter(Math.max(0, c.failures - pairFailures),
                    Math.max(0, c.pending - 1), c.lastFailure, c.lockedUntil, c.noticedAt));
        }

        /** Call in a finally: an attempt that ended in neither (the database was down) gives its slots back. */
        void settle() {
            if (!settled) {
                settled = true;
                release(sourceKey(source));
                release(pairKey(account, source));
                if (accountReserved) {
                    release(accountKey(account));
                }
            }
        }
    }

    /** Either an attempt to go ahead with, or the refusal. */
    record Decision(Attempt attempt, Refusal refusal) {
        Optional<Refusal> refused() {
            return Optional.ofNullable(refusal);
        }
    }

    private final ConcurrentHashMap<String, Counter> counters = new ConcurrentHashMap<>();
    private final Clock clock;

    LoginThrottle(Clock clock) {
        this.clock = clock;
    }

    /** Asks to try a password for {@code account} from {@code address}. */
    Decision begin(String account, String address) {
        String source = sourceOf(address);
        Instant now = clock.instant();
        if (counters.size() > 100_000) {
            counters.entrySet().removeIf(e -> e.getValue().idle(now));
        }
        String sourceKey = sourceKey(source);
        Counter sourceCounter = counters.get(sourceKey);
        boolean dirtySource = sourceCounter != null && !sourceCounter.idle(now) && sourceCounter.failures + sourceCounter.pending > 0;
        Refusal refusal = reserve(sourceKey, SOURCE_FREE, Scope.SOURCE, now);
        if (refusal != null) {
            return new Decision(null, refusal);
        }
        refusal = reserve(pairKey(account, source), PAIR_FREE, Scope.ACCOUNT_AT_SOURCE, now);
        if (refusal != null) {
            release(sourceKey);
            return new Decision(null, refusal);
        }
        if (dirtySource) {
            refusal = reserve(accountKey(account), ACCOUNT_FREE, Scope.ACCOUNT, now);
            if (refusal != null) {
                release(sourceKey);
                release(pairKey(account, source));
                return new Decision(null, refusal);
            }
        }
        return new Decision(new Attempt(account, source, dirtySource), null);
    }

    /** Atomically takes a slot in one counter, or says why not. */
    private Refusal reserve(String key, int free, Scope scope, Instant now) {
        Refusal[] refused = {null};
        counters.compute(key, (k, stored) -> {
            Counter c = stored == null || stored.idle(now) ? Counter.EMPTY : stored;
            boolean locked = now.isBefore(c.lockedUntil);
            boolean wouldExceed = c.failures + c.pending >= free && c.pending > 0;
            if (locked || wouldExceed) {
                Duration wait = locked ? Duration.between(now, c.lockedUntil) : Duration.ofSeconds(1);
                boolean first = c.noticedAt != c.failures;
                refused[0] = new Refusal(scope, wait, first);
                return new Counter(c.failures, c.pending, c.lastFailure, c.lockedUntil, c.failures);
            }
            return new Counter(c.failures, c.pending + 1, c.lastFailure, c.lockedUntil, c.noticedAt);
        });
        return refused[0];
    }

    private void release(String key) {
        counters.computeIfPresent(key, (k, c) -> new Counter(c.failures, Math.max(0, c.pending - 1), c.lastFailure, c.lockedUntil, c.noticedAt));
    }

    /** Turns a reservation (or, for an unreserved account counter, nothing) into a failure. */
    private void fail(String key, int free, boolean reserved, Instant now) {
        counters.compute(key, (k, stored) -> {
            Counter c = stored == null || stored.idle(now) ? Counter.EMPTY : stored;
            int failures = c.failures + 1;
            Instant lockedUntil = failures >= free ? now.plus(delay(failures - free)) : c.lockedUntil;
            return new Counter(failures, reserved ? Math.max(0, c.pending - 1) : c.pending, now, lockedUntil, c.noticedAt);
        });
    }

    /** {@link #BASE_DELAY} doubled per failure past the free ones, capped at {@link #MAX_DELAY}. */
    static Duration delay(int beyondFree) {
        if (beyondFree >= 30) {
            return MAX_DELAY;
        }
        Duration d = BASE_DELAY.multipliedBy(1L << beyondFree);
        return d.compareTo(MAX_DELAY) > 0 ? MAX_DELAY : d;
    }

    /** The unit a source is counted in: the address, or for IPv6 its /64. */
    static String sourceOf(String address) {
        java.net.InetAddress parsed = ClientAddress.parse(address);
        if (parsed instanceof java.net.Inet6Address) {
            byte[] bytes = parsed.getAddress();
            java.util.Arrays.fill(bytes, 8, 16, (byte) 0);
            try {
                return java.net.InetAddress.getByAddress(bytes).getHostAddress() + "/64";
            } catch (java.net.UnknownHostException impossible) {
                return address;
            }
        }
        return address;
    }

    private static String sourceKey(String source) {
        return "ip:" + source;
    }

    private static String pairKey(String account, String source) {
        return "pair:" + account + "|" + source;
    }

    private static String accountKey(String account) {
        return "email:" + account;
    }
}
