package com.gururmm.bench;

import com.gururmm.client.GuruClient;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The server's own view of a command's trip, server → agent → server: the buckets of its
 * {@code gururmm_command_latency_seconds} histogram (first send to the agent until the result is
 * stored), read from {@code GET /metrics} before and after a measured run. A percentile is then
 * known to within one bucket (about 0.35 ms between 1 and 4 ms).
 */
final class LatencyHistogram {
    private static final Pattern BUCKET = Pattern.compile("^gururmm_command_latency_seconds_bucket\\{[^}]*le=\"([^\"]+)\"[^}]*} ([0-9.eE+-]+)$",
            Pattern.MULTILINE);
    /** Cumulative count per upper bound (seconds). */
    private final TreeMap<Double, Double> cumulative;

    private LatencyHistogram(TreeMap<Double, Double> cumulative) {
        this.cumulative = cumulative;
    }

    static LatencyHistogram read(GuruClient admin) {
        GuruClient.RawResponse scrape = admin.raw("GET", "/metrics", null, Map.of());
        if (scrape.status() != 200) {
            throw new IllegalStateException("GET /metrics answered " + scrape.status());
        }
        TreeMap<Double, Double> buckets = new TreeMap<>();
        Matcher m = BUCKET.matcher(scrape.body());
        while (m.find()) {
            buckets.put(m.group(1).equals("+Inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(m.group(1)), Double.parseDouble(m.group(2)));
        }
        return new LatencyHistogram(buckets);
    }

    /** The commands counted between {@code before} and this reading. */
    double countSince(LatencyHistogram before) {
        return cumulative.lastEntry().getValue() - before.cumulative.getOrDefault(Double.POSITIVE_INFINITY, 0.0);
    }

    /** The bucket holding the {@code q}-quantile of what was counted since {@code before}, as "a–b ms". */
    String quantileSince(LatencyHistogram before, double q) {
        double total = countSince(before);
        if (total <= 0) {
            return "no commands counted";
        }
        double lower = 0;
        for (Map.Entry<Double, Double> bucket : cumulative.entrySet()) {
            double count = bucket.getValue() - before.cumulative.getOrDefault(bucket.getKey(), 0.0);
            if (count >= q * total) {
                return bucket.getKey().isInfinite() ? "over " + ms(lower) : ms(lower) + "–" + ms(bucket.getKey()) + " ms";
            }
            lower = bucket.getKey();
        }
        return "unknown";
    }

    /** The upper bound (ms) of the bucket holding the {@code q}-quantile: what a target is checked against. */
    double upperMillisSince(LatencyHistogram before, double q) {
        double total = countSince(before);
        for (Map.Entry<Double, Double> bucket : cumulative.entrySet()) {
            if (bucket.getValue() - before.cumulative.getOrDefault(bucket.getKey(), 0.0) >= q * total) {
                return bucket.getKey() * 1000;
            }
        }
        return Double.POSITIVE_INFINITY;
    }

    private static String ms(double seconds) {
        return String.format("%.2f", seconds * 1000);
    }
}
