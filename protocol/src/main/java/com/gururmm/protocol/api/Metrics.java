package com.gururmm.protocol.api;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** Bodies of {@code GET /api/agents/{id}/metrics} and the latest-sample part of the agent listing. */
public final class Metrics {
    private Metrics() {
    }

    /**
     * Series a chart draws directly (uPlot's aligned-arrays format): {@code timestamps} are the
     * bucket starts in epoch seconds, every {@code step_seconds} from {@code from} (aligned down to
     * the step) to before {@code to}; each series has one value per timestamp, null where the agent
     * sent nothing. {@code series} holds the bucket averages, {@code min} and {@code max} the
     * extremes. {@code source} says what was read: {@code raw} samples (a step under an hour) or
     * the hourly rollups ({@code rollup_1h}).
     */
    public record MetricSeries(
            UUID agentId,
            long from,
            long to,
            long stepSeconds,
            String source,
            List<Long> timestamps,
            Map<String, List<Double>> series,
            Map<String, List<Double>> min,
            Map<String, List<Double>> max) {
    }

    /** An agent's newest sample, as the fleet listing and the agent page show it. */
    public record LatestMetrics(Instant sampledAt, Map<String, Double> values) {
    }
}
