package com.gururmm.protocol.metrics;

import java.util.List;
import java.util.Optional;

/**
 * The names of the metrics an agent samples, shared by the agent (which reports them), the
 * server (which stores them and evaluates threshold checks on them) and the API (series keys).
 *
 * <p>A name is a fixed base ({@link #CPU_PERCENT}, ...) or, for per-mount disk metrics, the base
 * followed by {@code :} and the mount point ({@code disk.percent:/}, {@code disk.percent:C:\}).
 * A check on any other name is refused, so a typo cannot create a check that never fires.
 */
public final class MetricName {
    public static final String CPU_PERCENT = "cpu.percent";
    public static final String LOAD_1 = "load.1";
    public static final String LOAD_5 = "load.5";
    public static final String LOAD_15 = "load.15";
    public static final String MEMORY_PERCENT = "memory.percent";
    public static final String MEMORY_USED_BYTES = "memory.used_bytes";
    public static final String MEMORY_TOTAL_BYTES = "memory.total_bytes";
    public static final String SWAP_PERCENT = "swap.percent";
    public static final String SWAP_USED_BYTES = "swap.used_bytes";
    public static final String SWAP_TOTAL_BYTES = "swap.total_bytes";
    public static final String NET_RX_BYTES_PER_SECOND = "net.rx_bps";
    public static final String NET_TX_BYTES_PER_SECOND = "net.tx_bps";
    public static final String UPTIME_SECONDS = "uptime.seconds";
    public static final String USERS_COUNT = "users.count";
    /** Per mount: {@code disk.percent:<mount>}. */
    public static final String DISK_PERCENT = "disk.percent";
    /** Per mount: {@code disk.free_bytes:<mount>}. */
    public static final String DISK_FREE_BYTES = "disk.free_bytes";
    /** Per mount: {@code disk.total_bytes:<mount>}. */
    public static final String DISK_TOTAL_BYTES = "disk.total_bytes";

    /** Names that stand alone. */
    public static final List<String> FIXED = List.of(CPU_PERCENT, LOAD_1, LOAD_5, LOAD_15, MEMORY_PERCENT, MEMORY_USED_BYTES,
            MEMORY_TOTAL_BYTES, SWAP_PERCENT, SWAP_USED_BYTES, SWAP_TOTAL_BYTES, NET_RX_BYTES_PER_SECOND,
            NET_TX_BYTES_PER_SECOND, UPTIME_SECONDS, USERS_COUNT);

    /** Bases that take a mount point after {@code :}. */
    public static final List<String> PER_MOUNT = List.of(DISK_PERCENT, DISK_FREE_BYTES, DISK_TOTAL_BYTES);

    /** Longest accepted name (a mount point is a path; a longer one is hostile, not a disk). */
    public static final int MAX_LENGTH = 300;

    private MetricName() {
    }

    /** {@code disk.percent:/data} for base {@link #DISK_PERCENT} and mount {@code /data}. */
    public static String perMount(String base, String mount) {
        if (!PER_MOUNT.contains(base)) {
            throw new IllegalArgumentException(base + " is not a per-mount metric; use one of " + PER_MOUNT);
        }
        return base + ":" + mount;
    }

    /** The base of a name ({@code disk.percent} for {@code disk.percent:/}), if it is a known metric. */
    public static Optional<String> base(String name) {
        if (name == null || name.isEmpty() || name.length() > MAX_LENGTH || name.indexOf('\0') >= 0) {
            return Optional.empty();
        }
        if (FIXED.contains(name)) {
            return Optional.of(name);
        }
        int colon = name.indexOf(':');
        if (colon > 0 && colon < name.length() - 1 && PER_MOUNT.contains(name.substring(0, colon))) {
            return Optional.of(name.substring(0, colon));
        }
        return Optional.empty();
    }

    public static boolean isKnown(String name) {
        return base(name).isPresent();
    }

    /** Percentages are bounded; a threshold or a sample outside 0..100 on one is out of range. */
    public static boolean isPercent(String name) {
        return base(name).map(b -> b.endsWith(".percent")).orElse(false);
    }
}
