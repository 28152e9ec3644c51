package com.gururmm.bench.sim;

import java.util.concurrent.ThreadLocalRandom;

/**
 * The real agent's reconnect delay (agent {@code ServerLink.backoff}): base doubling from 1 s to
 * 30 s, delay uniform in [base/2, base]. Copied, not shared, because the agent module keeps it
 * package-private; the reconnect-storm scenario is only meaningful if both match.
 */
final class Backoff {
    private Backoff() {
    }

    static long millis(int failures) {
        long base = Math.min(30_000L, 1000L << Math.min(Math.max(failures, 1) - 1, 10));
        return ThreadLocalRandom.current().nextLong(base / 2, base + 1);
    }
}
