package com.gururmm.server.events;

import java.time.Instant;
import java.util.Map;
import java.util.UUID;

/**
 * One metrics sample of one agent was stored. Threshold checks are evaluated on these as they
 * arrive (never by polling the samples table). {@code values} is keyed by
 * {@link com.gururmm.protocol.metrics.MetricName}.
 */
public record MetricsReceived(UUID agentId, Instant sampledAt, Map<String, Double> values) {
    /** Node-local: the node that stored the sample (it holds the agent's connection) evaluates it, once. */
    public static final Topic<MetricsReceived> TOPIC = Topic.local("metrics.received", MetricsReceived.class);

    public MetricsReceived {
        values = Map.copyOf(values);
    }
}
