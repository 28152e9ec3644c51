package com.gururmm.protocol.wire;

import java.time.Instant;
import java.util.List;

/**
 * The full system inventory an agent reports daily and on demand ({@link AgentMessage.SystemInventoryReport}):
 * hardware, disks, network interfaces, file systems, installed software, services and pending OS
 * updates. Distinct from the small {@link Inventory} identity sent in every {@code hello}.
 *
 * <p>Each collector is bounded in time; one that fails or times out leaves its part empty (or
 * null) and adds a {@link CollectorError} instead of failing the whole report.
 *
 * @param schemaVersion {@link #SCHEMA_VERSION} of the agent that built it; a receiver ignores fields it does not know
 * @param errors        collectors that failed, each with a sentence saying why
 */
public record SystemInventory(
        int schemaVersion,
        Instant collectedAt,
        Hardware hardware,
        List<Disk> disks,
        List<NetworkInterface> networkInterfaces,
        List<Filesystem> filesystems,
        List<Software> software,
        List<Service> services,
        Updates updates,
        List<CollectorError> errors) {

    public static final int SCHEMA_VERSION = 1;

    /** Null fields were not readable on this machine (a VM without DMI serial, say). */
    public record Hardware(String manufacturer, String model, String serialNumber, String cpuModel, Integer cpuCores,
                           Integer cpuThreads, Long memoryBytes, String biosVendor, String biosVersion, String biosDate) {
    }

    /** A physical (or virtual) disk. */
    public record Disk(String name, String model, String serial, long sizeBytes) {
    }

    public record NetworkInterface(String name, String displayName, String mac, List<String> addresses) {
    }

    /** A mounted file system; {@code freeBytes} is what an unprivileged user may still write. */
    public record Filesystem(String mount, String type, String device, long totalBytes, long freeBytes) {
    }

    /**
     * One installed package or program.
     *
     * @param source {@code dpkg}, {@code rpm}, {@code registry} (Windows Uninstall keys), {@code app} (macOS /Applications) or {@code pkgutil}
     */
    public record Software(String name, String version, String arch, String source) {
    }

    /**
     * A service and its state.
     *
     * @param state    {@code running}, {@code stopped}, {@code failed} or another word the OS uses
     * @param startMode {@code enabled}/{@code disabled} (systemd) or {@code auto}/{@code demand}/{@code disabled} (Windows); null if unknown
     */
    public record Service(String name, String displayName, String state, String startMode) {
    }

    /**
     * Pending OS updates and the reboot flag.
     *
     * @param source         {@code apt}, {@code apt-check}, {@code dnf}, {@code windows} ...; null when no source was found
     * @param pendingCount   null when it could not be determined
     * @param pendingPackages names of the pending packages (bounded), so the server can track when each was first seen
     * @param securityCount  null when the source does not tell
     * @param rebootRequired null when unknown
     */
    public record Updates(String source, Integer pendingCount, Integer securityCount, List<String> pendingPackages,
                          Boolean rebootRequired, String rebootSource) {
    }

    /** A collector ({@code software}, {@code services}, {@code hardware}...) that failed, and why. */
    public record CollectorError(String collector, String error) {
    }
}
