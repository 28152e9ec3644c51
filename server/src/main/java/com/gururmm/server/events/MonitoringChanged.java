package com.gururmm.server.events;

import java.time.Instant;

/**
 * Checks or maintenance windows were changed on node {@code origin} (an instance id): the other
 * nodes re-read them now instead of at their next periodic refresh. Carries no data: the database
 * is the record.
 */
public record MonitoringChanged(String origin, Instant at) {
    public static final Topic<MonitoringChanged> TOPIC = Topic.of("monitoring.changed", MonitoringChanged.class);
}
