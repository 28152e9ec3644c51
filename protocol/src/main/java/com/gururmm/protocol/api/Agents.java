package com.gururmm.protocol.api;

import com.gururmm.protocol.wire.Inventory;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/** Bodies of {@code /api/agents} and {@code /api/agent/enroll}. */
public final class Agents {
    private Agents() {
    }

    /** One row of {@code GET /api/agents}. */
    public record AgentSummary(
            UUID id,
            String hostname,
            String os,
            String arch,
            String version,
            String channel,
            String status,
            Instant lastSeen,
            String machineUid,
            String site) {
    }

    /**
     * {@code GET /api/agents/{id}}: the summary fields plus inventory and health, and
     * {@code update}, the agent's latest self-update attempt (null if it never had one).
     */
    public record AgentDetail(
            UUID id,
            String hostname,
            String os,
            String arch,
            String version,
            String channel,
            String status,
            Instant lastSeen,
            String machineUid,
            String site,
            String deviceId,
            String osVersion,
            List<String> ipAddresses,
            List<String> loggedOnUsers,
            Inventory.Health health,
            Instant enrolledAt,
            int enrollCount,
            Releases.UpdateState update) {
    }

    public record EnrollRequest(
            String enrollmentToken,
            String deviceId,
            String machineUid,
            String hostname,
            String os,
            String arch,
            String version,
            String channel) {
    }

    public record EnrollResponse(UUID agentId, String agentToken) {
    }
}
