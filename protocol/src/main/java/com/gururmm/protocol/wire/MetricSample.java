package com.gururmm.protocol.wire;

import java.time.Instant;
import java.util.Map;

/**
 * One metrics sample: when it was taken and its values, keyed by
 * {@link com.gururmm.protocol.metrics.MetricName} ({@code cpu.percent}, {@code disk.percent:/}, ...).
 * A metric the agent could not read is absent, not zero.
 */
public record MetricSample(Instant at, Map<String, Double> values) {
    /** Samples in one {@link AgentMessage.MetricsReport}; a bigger backlog goes out in several batches. */
    public static final int MAX_PER_BATCH = 120;
    /** Values in one sample (14 fixed metrics plus three per mount, for up to ~60 mounts). */
    public static final int MAX_VALUES = 200;
}
