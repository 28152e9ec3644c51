package com.gururmm.server.metrics;

import com.gururmm.protocol.metrics.MetricName;
import com.gururmm.protocol.wire.MetricSample;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What an agent's sample may contain. A value that cannot be true (negative, NaN, infinite, a
 * percentage over 100, bigger than any real machine has) is dropped with a reason; a sample whose
 * time is far in the future or older than the retention is refused whole (its time cannot be
 * trusted, and it would be deleted at once). Nothing here throws: one agent's garbage is its own
 * refusal, never another agent's delay.
 */
final class SampleValidator {
    /** Clock skew tolerated: an agent's clock may run a little ahead of the server's. */
    static final Duration MAX_FUTURE = Duration.ofMinutes(5);
    /** 2^53: beyond this a double no longer holds whole numbers, and no disk or counter is that big. */
    static final double MAX_BYTES = 9_007_199_254_740_992.0;

    private final Duration retention;

    SampleValidator(Duration retention) {
        this.retention = retention;
    }

    /** A sample as stored: epoch second and quantized values. */
    record Accepted(long time, Map<String, Double> values) {
    }

    /** The accepted part of a sample (null if none), and why anything was dropped. */
    record Outcome(Accepted accepted, List<String> problems) {
    }

    Outcome check(MetricSample sample, Instant now) {
        List<String> problems = new ArrayList<>();
        if (sample == null || sample.at() == null) {
            problems.add("a sample has no time ('at')");
            return new Outcome(null, problems);
        }
        Instant at = sample.at();
        if (at.isAfter(now.plus(MAX_FUTURE))) {
            problems.add("sample at " + at + " is more than " + MAX_FUTURE.toMinutes() + " minutes in the future (server time " + now + ")");
            return new Outcome(null, problems);
        }
        if (at.isBefore(now.minus(retention))) {
            problems.add("sample at " + at + " is older than the " + retention.toDays() + "-day retention");
            return new Outcome(null, problems);
        }
        Map<String, Double> values = sample.values();
        if (values == null || values.isEmpty()) {
            problems.add("sample at " + at + " has no values");
            return new Outcome(null, problems);
        }
        if (values.size() > MetricSample.MAX_VALUES) {
            problems.add("sample at " + at + " has " + values.size() + " values, more than " + MetricSample.MAX_VALUES);
            return new Outcome(null, problems);
        }
        Map<String, Double> kept = new TreeMap<>();
        values.forEach((name, value) -> {
            String problem = problem(name, value);
            if (problem != null) {
                problems.add(problem);
            } else {
                kept.put(name, SampleCodec.quantize(name, value));
            }
        });
        if (kept.isEmpty()) {
            problems.add("sample at " + at + " has no valid value");
            return new Outcome(null, problems);
        }
        return new Outcome(new Accepted(at.getEpochSecond(), kept), problems);
    }

    /** Why {@code value} cannot be a reading of {@code name}; null if it can. */
    static String problem(String name, Double value) {
        if (!MetricName.isKnown(name)) {
            return "unknown metric '" + shown(name) + "'";
        }
        if (value == null || value.isNaN() || value.isInfinite()) {
            return name + " is " + value + ", not a number";
        }
        if (value < 0) {
            return name + " is " + value + ", negative";
        }
        String base = MetricName.base(name).orElseThrow();
        double max = base.endsWith(".percent") ? 100.0
                : base.startsWith("load.") ? 100_000.0
                : base.equals(MetricName.USERS_COUNT) ? 100_000.0
                : base.equals(MetricName.UPTIME_SECONDS) ? 100.0 * 365 * 86_400
                : MAX_BYTES;
        if (value > max) {
            return name + " is " + value + ", above " + (max == MAX_BYTES ? "2^53" : Double.toString(max));
        }
        return null;
    }

    private static String shown(String name) {
        if (name == null) {
            return "null";
        }
        String clean = name.replaceAll("\\p{Cntrl}", "?");
        return clean.length() > 60 ? clean.substring(0, 60) + "..." : clean;
    }
}
