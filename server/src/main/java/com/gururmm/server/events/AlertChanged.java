package com.gururmm.server.events;

import java.time.Instant;
import java.util.UUID;

/**
 * An alert was opened, acknowledged or resolved (already committed to the database).
 * Notifications, the live alert counts and server-sent events subscribe to it.
 *
 * @param state     {@code open}, {@code acknowledged} or {@code resolved}
 * @param severity  {@code info}, {@code warning} or {@code critical}
 * @param checkKey  which check raised it (stable per check, e.g. a check id or {@code offline})
 * @param site      the agent's site when the alert changed, for routing rules
 * @param silenced  true while a maintenance window covers the agent: stored, but not notified
 */
public record AlertChanged(UUID alertId, UUID agentId, String hostname, String site, String checkKey, String severity,
                           String state, String title, String message, boolean silenced, Instant at) {
    public static final Topic<AlertChanged> TOPIC = Topic.of("alert.changed", AlertChanged.class);
}
