package com.gururmm.server.agent;

import java.time.Instant;
import java.util.UUID;

/**
 * One row of {@code agents}; JSON columns are kept as text here and decoded at the edge.
 * {@code serverHost}: the server host's own agent, on which commands are admin-only.
 */
public record AgentRow(
        UUID id,
        String machineUid,
        String deviceId,
        String tokenHash,
        String hostname,
        String os,
        String osVersion,
        String arch,
        String version,
        String channel,
        String site,
        String ipAddresses,
        String loggedOnUsers,
        String health,
        Instant enrolledAt,
        int enrollCount,
        Instant lastSeen,
        boolean serverHost) {
}
