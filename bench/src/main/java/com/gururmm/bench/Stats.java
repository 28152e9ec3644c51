package com.gururmm.bench;

import java.util.Arrays;

/** Latency samples in nanoseconds; percentiles by the nearest-rank method. */
final class Stats {
    private long[] samples = new long[1024];
    private int size;

    synchronized void add(long nanos) {
        if (size == samples.length) {
            samples = Arrays.copyOf(samples, size * 2);
        }
        samples[size++] = nanos;
    }

    synchronized int count() {
        return size;
    }

    synchronized double percentileMillis(double p) {
        if (size == 0) {
            return Double.NaN;
        }
        long[] sorted = Arrays.copyOf(samples, size);
        Arrays.sort(sorted);
        int rank = (int) Math.ceil(p / 100.0 * size);
        return sorted[Math.max(0, Math.min(size - 1, rank - 1))] / 1e6;
    }

    synchronized double maxMillis() {
        return size == 0 ? Double.NaN : Arrays.stream(samples, 0, size).max().getAsLong() / 1e6;
    }
}
