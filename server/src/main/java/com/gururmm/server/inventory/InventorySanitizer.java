package com.gururmm.server.inventory;

import com.gururmm.protocol.text.ControlChars;
import com.gururmm.protocol.wire.SystemInventory;
import com.gururmm.protocol.wire.SystemInventory.CollectorError;
import com.gururmm.protocol.wire.SystemInventory.Disk;
import com.gururmm.protocol.wire.SystemInventory.Filesystem;
import com.gururmm.protocol.wire.SystemInventory.Hardware;
import com.gururmm.protocol.wire.SystemInventory.NetworkInterface;
import com.gururmm.protocol.wire.SystemInventory.Service;
import com.gururmm.protocol.wire.SystemInventory.Software;
import com.gururmm.protocol.wire.SystemInventory.Updates;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/**
 * Limits and cleaning for an agent's system inventory. A report with more entries than a real
 * machine has (see the limits) is refused whole: it is broken or hostile, and storing part of it
 * would make search answers wrong without anyone noticing. Text is clipped to its column and
 * what {@link ControlChars} calls unsafe becomes U+FFFD, as for agent names.
 */
final class InventorySanitizer {
    static final int MAX_SOFTWARE = 20_000;
    static final int MAX_SERVICES = 5_000;
    static final int MAX_SMALL_LIST = 256;
    static final int MAX_ADDRESSES = 64;
    static final int MAX_PENDING_NAMES = 5_000;
    static final int MAX_ERRORS = 64;

    private InventorySanitizer() {
    }

    /** Why the report is refused, or null when it is acceptable. */
    static String problem(SystemInventory in) {
        if (in == null) {
            return "system_inventory needs an inventory";
        }
        String tooMany = tooMany("software", in.software(), MAX_SOFTWARE);
        tooMany = tooMany != null ? tooMany : tooMany("services", in.services(), MAX_SERVICES);
        tooMany = tooMany != null ? tooMany : tooMany("disks", in.disks(), MAX_SMALL_LIST);
        tooMany = tooMany != null ? tooMany : tooMany("network_interfaces", in.networkInterfaces(), MAX_SMALL_LIST);
        tooMany = tooMany != null ? tooMany : tooMany("filesystems", in.filesystems(), MAX_SMALL_LIST);
        tooMany = tooMany != null ? tooMany : tooMany("errors", in.errors(), MAX_ERRORS);
        if (tooMany == null && in.updates() != null) {
            tooMany = tooMany("updates.pending_packages", in.updates().pendingPackages(), MAX_PENDING_NAMES);
        }
        if (tooMany == null && in.networkInterfaces() != null) {
            tooMany = in.networkInterfaces().stream().filter(Objects::nonNull).map(n -> tooMany("network_interfaces[].addresses", n.addresses(), MAX_ADDRESSES))
                    .filter(Objects::nonNull).findFirst().orElse(null);
        }
        return tooMany;
    }

    private static String tooMany(String field, List<?> items, int max) {
        return items != null && items.size() > max ? field + " lists " + items.size() + " entries; at most " + max + " are accepted" : null;
    }

    static SystemInventory clean(SystemInventory in, Instant now) {
        Instant collected = in.collectedAt() == null || in.collectedAt().isAfter(now.plus(Duration.ofDays(1))) ? now : in.collectedAt();
        Hardware h = in.hardware();
        Hardware hardware = h == null ? null : new Hardware(text(h.manufacturer(), 200), text(h.model(), 200), text(h.serialNumber(), 200),
                text(h.cpuModel(), 200), positive(h.cpuCores()), positive(h.cpuThreads()),
                h.memoryBytes() == null || h.memoryBytes() < 0 ? null : h.memoryBytes(), text(h.biosVendor(), 200),
                text(h.biosVersion(), 200), text(h.biosDate(), 60));
        List<Disk> disks = list(in.disks(), d -> text(d.name(), 300) == null ? null
                : new Disk(text(d.name(), 300), text(d.model(), 300), text(d.serial(), 200), Math.max(0, d.sizeBytes())));
        List<NetworkInterface> nics = list(in.networkInterfaces(), n -> text(n.name(), 200) == null ? null
                : new NetworkInterface(text(n.name(), 200), text(n.displayName(), 300), text(n.mac(), 60),
                        list(n.addresses(), a -> text(a, 100))));
        List<Filesystem> filesystems = list(in.filesystems(), f -> {
            String mount = text(f.mount(), 500);
            long total = Math.max(0, f.totalBytes());
            return mount == null ? null : new Filesystem(mount, text(f.type(), 60), text(f.device(), 500), total,
                    Math.min(total, Math.max(0, f.freeBytes())));
        });
        List<Software> software = list(in.software(), s -> {
            String name = text(s.name(), 300);
            String source = text(s.source(), 20);
            return name == null ? null : new Software(name, Objects.requireNonNullElse(text(s.version(), 200), ""), text(s.arch(), 40),
                    source == null ? "unknown" : source);
        });
        List<Service> services = list(in.services(), s -> text(s.name(), 300) == null ? null
                : new Service(text(s.name(), 300), text(s.displayName(), 300), Objects.requireNonNullElse(text(s.state(), 40), "unknown"),
                        text(s.startMode(), 40)));
        Updates u = in.updates();
        Updates updates = u == null ? null : new Updates(text(u.source(), 40), nonNegative(u.pendingCount()), nonNegative(u.securityCount()),
                list(u.pendingPackages(), p -> text(p, 300)).stream().distinct().toList(), u.rebootRequired(), text(u.rebootSource(), 200));
        List<CollectorError> errors = list(in.errors(), e -> new CollectorError(Objects.requireNonNullElse(text(e.collector(), 60), "unknown"),
                Objects.requireNonNullElse(text(e.error(), 1000), "")));
        return new SystemInventory(in.schemaVersion(), collected, hardware, disks, nics, filesystems, software, services, updates, errors);
    }

    private static <T, R> List<R> list(List<T> items, Function<T, R> map) {
        if (items == null) {
            return List.of();
        }
        return items.stream().filter(Objects::nonNull).map(map).filter(Objects::nonNull).toList();
    }

    private static Integer positive(Integer value) {
        return value == null || value <= 0 ? null : value;
    }

    private static Integer nonNegative(Integer value) {
        return value == null || value < 0 ? null : value;
    }

    /** Clipped to {@code max}, unsafe characters replaced; null for null or blank. */
    static String text(String value, int max) {
        if (value == null || value.isBlank()) {
            return null;
        }
        String clipped = value.strip();
        clipped = clipped.length() > max ? clipped.substring(0, max) : clipped;
        if (clipped.chars().noneMatch(ControlChars::isUnsafe)) {
            return clipped;
        }
        StringBuilder out = new StringBuilder(clipped.length());
        clipped.chars().forEach(c -> out.append(ControlChars.isUnsafe(c) ? '\uFFFD' : (char) c));
        return out.toString();
    }
}
