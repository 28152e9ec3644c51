package com.gururmm.agent.metrics;

import java.util.Map;

/** Takes one metrics sample: values keyed by {@link com.gururmm.protocol.metrics.MetricName}; a metric it cannot read is left out. */
public interface MetricsSampler {
    Map<String, Double> sample();
}
