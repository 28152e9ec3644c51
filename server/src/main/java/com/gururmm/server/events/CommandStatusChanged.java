package com.gururmm.server.events;

import java.time.Instant;
import java.util.UUID;

/**
 * A command's status changed and the change is committed: created ({@code queued}, or
 * {@code running} when it was sent at once, or {@code failed} when it cannot run there),
 * dispatched, finished, cancelled, expired, released or discarded. Long-poll waits and
 * server-sent events sit on it. {@code node} is the server node that made the change, so a node
 * can tell its own changes from another's when the bus spans a cluster.
 */
public record CommandStatusChanged(UUID commandId, UUID agentId, String status, Instant at, String node) {
    public static final Topic<CommandStatusChanged> TOPIC = Topic.of("command.status", CommandStatusChanged.class);

    /** A change made on this node (tests and single-node code that does not care about the origin). */
    public CommandStatusChanged(UUID commandId, UUID agentId, String status, Instant at) {
        this(commandId, agentId, status, at, null);
    }
}
