package com.gururmm.protocol.api;

import com.gururmm.protocol.wire.Inventory;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/** Bodies of {@code /api/agents} and {@code /api/agent/enroll}. */
public final class Agents {
    private Agents() {
    }

    /**
     * One row of {@code GET /api/agents}. {@code machineUid} is null for viewers (with an
     * enrollment token it is what a machine enrolls as). {@code serverHost} marks the server
     * host's own agent, on which only admins may run commands. {@code metrics} is the agent's newest
     * metrics sample (null if it never sent one), for fleet columns.
     */
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
            String site,
            boolean serverHost,
            UUID siteId,
            UUID clientId,
            String clientName,
            Metrics.LatestMetrics metrics) {
        public AgentSummary(UUID id, String hostname, String os, String arch, String version, String channel, String status,
                            Instant lastSeen, String machineUid, String site, boolean serverHost) {
            this(id, hostname, os, arch, version, channel, status, lastSeen, machineUid, site, serverHost, null, null, null, null);
        }

        public AgentSummary(UUID id, String hostname, String os, String arch, String version, String channel, String status,
                            Instant lastSeen, String machineUid, String site, boolean serverHost, UUID siteId, UUID clientId,
                            String clientName) {
            this(id, hostname, os, arch, version, channel, status, lastSeen, machineUid, site, serverHost, siteId, clientId, clientName, null);
        }

        public AgentSummary withMetrics(Metrics.LatestMetrics latest) {
            return new AgentSummary(id, hostname, os, arch, version, channel, status, lastSeen, machineUid, site, serverHost, siteId,
                    clientId, clientName, latest);
        }
    }

    /**
     * {@code GET /api/agents/{id}}: the summary fields plus inventory and health, and
     * {@code update}, the agent's latest self-update attempt (null if it never had one).
     * {@code heldCommands} counts the commands held since the machine enrolled again under a new
     * identity (an admin releases or discards them), {@code holdReason} says why (null if none).
     * {@code metrics}: the newest metrics sample (null if none).
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
            Releases.UpdateState update,
            boolean serverHost,
            int heldCommands,
            String holdReason,
            UUID siteId,
            UUID clientId,
            String clientName,
            Metrics.LatestMetrics metrics) {
        public AgentDetail(UUID id, String hostname, String os, String arch, String version, String channel, String status,
                           Instant lastSeen, String machineUid, String site, String deviceId, String osVersion,
                           List<String> ipAddresses, List<String> loggedOnUsers, Inventory.Health health, Instant enrolledAt,
                           int enrollCount, Releases.UpdateState update, boolean serverHost, int heldCommands, String holdReason) {
            this(id, hostname, os, arch, version, channel, status, lastSeen, machineUid, site, deviceId, osVersion, ipAddresses,
                    loggedOnUsers, health, enrolledAt, enrollCount, update, serverHost, heldCommands, holdReason, null, null, null, null);
        }

        public AgentDetail(UUID id, String hostname, String os, String arch, String version, String channel, String status,
                           Instant lastSeen, String machineUid, String site, String deviceId, String osVersion,
                           List<String> ipAddresses, List<String> loggedOnUsers, Inventory.Health health, Instant enrolledAt,
                           int enrollCount, Releases.UpdateState update, boolean serverHost, int heldCommands, String holdReason,
                           UUID siteId, UUID clientId, String clientName) {
            this(id, hostname, os, arch, version, channel, status, lastSeen, machineUid, site, deviceId, osVersion, ipAddresses,
                    loggedOnUsers, health, enrolledAt, enrollCount, update, serverHost, heldCommands, holdReason, siteId, clientId,
                    clientName, null);
        }

        public AgentDetail withMetrics(Metrics.LatestMetrics latest) {
            return new AgentDetail(id, hostname, os, arch, version, channel, status, lastSeen, machineUid, site, deviceId, osVersion,
                    ipAddresses, loggedOnUsers, health, enrolledAt, enrollCount, update, serverHost, heldCommands, holdReason, siteId,
                    clientId, clientName, latest);
        }
    }

    /** {@code PATCH /api/agents/{id}}: move the agent to another site (admin; audited with from and to). */
    public record UpdateAgentRequest(UUID siteId) {
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

    /**
     * {@code POST /api/agents/{id}/held-commands/release} and {@code .../discard}: which held
     * commands (null or absent: all of the agent's held commands).
     */
    public record HeldCommandsRequest(List<UUID> commandIds) {
    }

    /** What a release or discard did: the commands it moved (released: queued again; discarded: cancelled). */
    public record HeldCommandsResult(UUID agentId, String action, List<UUID> commandIds) {
    }
}
