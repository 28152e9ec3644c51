package com.gururmm.protocol.api;

import java.time.Instant;
import java.util.Map;
import java.util.UUID;

/** Bodies of {@code GET /api/agents/{id}/events}. */
public final class AgentEvents {
    private AgentEvents() {
    }

    /** One stored event an agent reported (see {@code wire.AgentEvent}); {@code receivedAt} is the server's clock. */
    public record AgentEventView(UUID id, UUID agentId, String kind, String severity, String summary, String eventKey,
                                 Instant occurredAt, Instant receivedAt, Map<String, String> details) {
    }
}
