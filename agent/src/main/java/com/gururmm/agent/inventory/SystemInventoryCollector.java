package com.gururmm.agent.inventory;

import com.gururmm.agent.inventory.os.OsInventory;
import com.gururmm.protocol.wire.SystemInventory;
import com.gururmm.protocol.wire.SystemInventory.CollectorError;
import com.gururmm.protocol.wire.SystemInventory.Disk;
import com.gururmm.protocol.wire.SystemInventory.Filesystem;
import com.gururmm.protocol.wire.SystemInventory.Hardware;
import com.gururmm.protocol.wire.SystemInventory.NetworkInterface;
import com.gururmm.protocol.wire.SystemInventory.Service;
import com.gururmm.protocol.wire.SystemInventory.Software;
import com.gururmm.protocol.wire.SystemInventory.Updates;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;
import oshi.SystemInfo;
import oshi.hardware.CentralProcessor;
import oshi.hardware.ComputerSystem;
import oshi.hardware.Firmware;
import oshi.hardware.HardwareAbstractionLayer;

/**
 * Builds the full {@link SystemInventory}: hardware, disks, network interfaces and file systems
 * through OSHI, software/services/updates through the platform's {@link OsInventory}.
 *
 * <p>Each part runs on its own virtual thread with a deadline ({@link #PART_TIMEOUT}); a part that
 * throws or overruns is left empty and named in {@code errors} with the reason, so one broken
 * tool (a hung {@code rpm} lock, a missing {@code systemctl}) never costs the whole report. Lists
 * are capped ({@link #MAX_SOFTWARE} and friends, below the server's limits) so a report always
 * fits one frame; a cut list is also named in {@code errors}.
 */
public final class SystemInventoryCollector {
    static final Duration PART_TIMEOUT = Duration.ofSeconds(120);
    static final int MAX_SOFTWARE = 20_000;
    static final int MAX_SERVICES = 5_000;
    static final int MAX_SMALL_LIST = 256;
    static final int MAX_PENDING_NAMES = 5_000;

    private final OsInventory os;
    private final Clock clock;
    private final Duration partTimeout;

    public SystemInventoryCollector(OsInventory os, Clock clock) {
        this(os, clock, PART_TIMEOUT);
    }

    SystemInventoryCollector(OsInventory os, Clock clock, Duration partTimeout) {
        this.os = os;
        this.clock = clock;
        this.partTimeout = partTimeout;
    }

    public SystemInventory collect() {
        List<CollectorError> errors = new ArrayList<>();
        SystemInfo oshi = part("oshi", SystemInfo::new, null, errors);
        HardwareAbstractionLayer hal = oshi == null ? null : part("hardware", oshi::getHardware, null, errors);
        Hardware hardware = hal == null ? null : part("hardware", () -> hardware(hal), null, errors);
        List<Disk> disks = hal == null ? List.of() : capped("disks", part("disks", () -> hal.getDiskStores().stream()
                .map(d -> new Disk(d.getName(), known(d.getModel()), known(d.getSerial()), d.getSize())).toList(), List.of(), errors),
                MAX_SMALL_LIST, errors);
        List<NetworkInterface> nics = hal == null ? List.of() : capped("network_interfaces", part("network_interfaces",
                () -> hal.getNetworkIFs().stream().map(n -> new NetworkInterface(n.getName(), known(n.getDisplayName()), known(n.getMacaddr()),
                        Stream.concat(Stream.of(n.getIPv4addr()), Stream.of(n.getIPv6addr())).toList())).toList(), List.of(), errors),
                MAX_SMALL_LIST, errors);
        List<Filesystem> filesystems = oshi == null ? List.of() : capped("filesystems", part("filesystems",
                () -> oshi.getOperatingSystem().getFileSystem().getFileStores(true).stream()
                        .map(f -> new Filesystem(f.getMount(), known(f.getType()), known(f.getName()), f.getTotalSpace(), f.getUsableSpace()))
                        .toList(), List.of(), errors), MAX_SMALL_LIST, errors);
        List<Software> software = capped("software", part("software", os::software, List.of(), errors), MAX_SOFTWARE, errors);
        List<Service> services = capped("services", part("services", os::services, List.of(), errors), MAX_SERVICES, errors);
        Updates updates = part("updates", os::updates, null, errors);
        if (updates != null && updates.pendingPackages() != null && updates.pendingPackages().size() > MAX_PENDING_NAMES) {
            updates = new Updates(updates.source(), updates.pendingCount(), updates.securityCount(),
                    updates.pendingPackages().subList(0, MAX_PENDING_NAMES), updates.rebootRequired(), updates.rebootSource());
        }
        return new SystemInventory(SystemInventory.SCHEMA_VERSION, clock.instant(), hardware, disks, nics, filesystems, software,
                services, updates, List.copyOf(errors));
    }

    /**
     * The report cut down until its frame is at most {@code maxBytes}: the server closes a
     * connection that sends a frame over its limit, and the agent would resend the same report
     * on every reconnect. Services go first, then the software list is halved; each cut is named
     * in {@code errors}. Real machines are far below the limit (5,000 packages are about 0.5 MiB).
     */
    public static SystemInventory fitting(SystemInventory inventory, int maxBytes) {
        SystemInventory current = inventory;
        while (encodedSize(current) > maxBytes) {
            List<CollectorError> errors = new ArrayList<>(current.errors());
            if (!current.services().isEmpty()) {
                errors.add(new CollectorError("services", "left out: the report was over " + maxBytes / 1024 + " KiB"));
                current = new SystemInventory(current.schemaVersion(), current.collectedAt(), current.hardware(), current.disks(),
                        current.networkInterfaces(), current.filesystems(), current.software(), List.of(), current.updates(), errors);
            } else if (current.software().size() > 1) {
                int keep = current.software().size() / 2;
                errors.add(new CollectorError("software", "listed the first " + keep + " of " + current.software().size()
                        + " entries: the report was over " + maxBytes / 1024 + " KiB"));
                current = new SystemInventory(current.schemaVersion(), current.collectedAt(), current.hardware(), current.disks(),
                        current.networkInterfaces(), current.filesystems(), List.copyOf(current.software().subList(0, keep)),
                        current.services(), current.updates(), errors);
            } else {
                return current; // nothing left to cut; the server will say why it refused it
            }
        }
        return current;
    }

    static int encodedSize(SystemInventory inventory) {
        return com.gururmm.protocol.wire.Wire.encode(new com.gururmm.protocol.wire.AgentMessage.SystemInventoryReport(null, inventory))
                .getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
    }

    private static Hardware hardware(HardwareAbstractionLayer hal) {
        ComputerSystem system = hal.getComputerSystem();
        Firmware firmware = system.getFirmware();
        CentralProcessor cpu = hal.getProcessor();
        return new Hardware(known(system.getManufacturer()), known(system.getModel()), known(system.getSerialNumber()),
                known(cpu.getProcessorIdentifier().getName()), cpu.getPhysicalProcessorCount(), cpu.getLogicalProcessorCount(),
                hal.getMemory().getTotal(), known(firmware.getManufacturer()), known(firmware.getVersion()), known(firmware.getReleaseDate()));
    }

    /** OSHI says {@code unknown} (or nothing) where the OS would not tell. */
    private static String known(String value) {
        return value == null || value.isBlank() || value.equalsIgnoreCase("unknown") ? null : value.strip();
    }

    private <T> T part(String name, Callable<T> work, T fallback, List<CollectorError> errors) {
        FutureTask<T> task = new FutureTask<>(work);
        Thread thread = Thread.ofVirtual().name("inventory-" + name).start(task);
        try {
            T value = task.get(partTimeout.toMillis(), TimeUnit.MILLISECONDS);
            return value == null ? fallback : value;
        } catch (TimeoutException e) {
            thread.interrupt();
            errors.add(new CollectorError(name, name + " did not finish within " + partTimeout.toSeconds() + " s"));
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            errors.add(new CollectorError(name, cause.getMessage() == null ? cause.toString() : cause.getMessage()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            errors.add(new CollectorError(name, "interrupted"));
        } catch (LinkageError e) {
            errors.add(new CollectorError(name, e.toString()));
        }
        return fallback;
    }

    private static <T> List<T> capped(String name, List<T> items, int max, List<CollectorError> errors) {
        if (items.size() <= max) {
            return items;
        }
        errors.add(new CollectorError(name, "listed the first " + max + " of " + items.size() + " entries"));
        return List.copyOf(items.subList(0, max));
    }
}
