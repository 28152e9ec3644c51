package com.gururmm.server.events;

import java.time.Instant;
import java.util.UUID;

/**
 * An agent's connection to this server opened ({@code online}) or its last one closed.
 * Published by the connection registry, which alone decides presence; a replaced connection
 * (the agent reconnected before the old one timed out) publishes no offline event.
 */
public record AgentPresence(UUID agentId, boolean online, Instant at) {
    public static final Topic<AgentPresence> TOPIC = Topic.of("agent.presence", AgentPresence.class);
}
