package com.gururmm.protocol.api;

import com.gururmm.protocol.wire.SystemInventory.CollectorError;
import com.gururmm.protocol.wire.SystemInventory.Disk;
import com.gururmm.protocol.wire.SystemInventory.Hardware;
import com.gururmm.protocol.wire.SystemInventory.NetworkInterface;
import com.gururmm.protocol.wire.SystemInventory.Service;
import com.gururmm.protocol.wire.SystemInventory.Software;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/** Bodies of the inventory routes (docs/OPERATIONS.md, "Inventory"). */
public final class Inventories {
    private Inventories() {
    }

    /** {@code GET /api/agents/{id}/inventory}: the latest full inventory and the recent software changes. */
    public record AgentInventory(
            UUID agentId,
            int schemaVersion,
            Instant collectedAt,
            Instant receivedAt,
            Hardware hardware,
            List<Disk> disks,
            List<NetworkInterface> networkInterfaces,
            List<FilesystemView> filesystems,
            List<Software> software,
            List<Service> services,
            UpdatesView updates,
            List<CollectorError> errors,
            List<SoftwareChange> softwareChanges) {
    }

    /** A file system with its free share in percent (one decimal). */
    public record FilesystemView(String mount, String type, String device, long totalBytes, long freeBytes, double freePercent) {
    }

    /**
     * Pending updates as last reported. {@code oldestPendingSince} is when the server first saw
     * the longest-pending one of {@code pendingPackages} pending on this agent.
     */
    public record UpdatesView(String source, Integer pendingCount, Integer securityCount, List<String> pendingPackages,
                              Instant oldestPendingSince, Boolean rebootRequired, String rebootSource) {
    }

    /** {@code installed}, {@code removed}, {@code upgraded} or {@code downgraded}, between two consecutive reports. */
    public record SoftwareChange(Instant at, String event, String name, String arch, String source, String oldVersion, String newVersion) {
    }

    /** {@code POST /api/agents/{id}/inventory/refresh}: the request went out; the report arrives with this id. */
    public record RefreshRequested(UUID agentId, UUID requestId) {
    }

    /** {@code GET /api/inventory/search}: one hit per matching agent, with the items that matched. */
    public record SearchResult(List<SearchHit> results, boolean truncated) {
    }

    public record SearchHit(UUID agentId, String hostname, String site, Instant collectedAt, List<Software> software,
                            List<FilesystemView> filesystems, Integer pendingUpdates, Instant oldestPendingSince, Boolean rebootRequired) {
    }
}
