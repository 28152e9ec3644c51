package com.gururmm.server.events;

import java.time.Instant;
import java.util.UUID;

/**
 * Something happened on an agent's machine that is an event rather than a sample, e.g. a
 * Windows bugcheck (blue screen) found in the System event log. Stored before it is published;
 * the alert engine raises an alert from it.
 *
 * @param kind     e.g. {@code bugcheck}
 * @param severity {@code info}, {@code warning} or {@code critical}
 * @param eventKey stable id of the occurrence on the machine (dedupes a report sent twice)
 */
public record AgentEventReported(UUID agentId, String kind, String severity, String summary, String eventKey,
                                 Instant occurredAt) {
    public static final Topic<AgentEventReported> TOPIC = Topic.of("agent.event", AgentEventReported.class);
}
