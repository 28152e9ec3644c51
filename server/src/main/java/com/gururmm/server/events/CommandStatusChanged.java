package com.gururmm.server.events;

import java.time.Instant;
import java.util.UUID;

/**
 * A command's status changed and the change is committed: created ({@code queued}, or
 * {@code running} when it was sent at once, or {@code failed} when it cannot run there),
 * dispatched, finished, cancelled, expired, released or discarded. Long-poll waits and
 * server-sent events sit on it.
 */
public record CommandStatusChanged(UUID commandId, UUID agentId, String status, Instant at) {
    public static final Topic<CommandStatusChanged> TOPIC = Topic.of("command.status", CommandStatusChanged.class);
}
