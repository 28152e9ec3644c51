package com.gururmm.agent.metrics;

import com.gururmm.protocol.metrics.MetricName;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import oshi.SystemInfo;
import oshi.hardware.CentralProcessor;
import oshi.hardware.GlobalMemory;
import oshi.hardware.HardwareAbstractionLayer;
import oshi.hardware.NetworkIF;
import oshi.hardware.VirtualMemory;
import oshi.software.os.OSFileStore;
import oshi.software.os.OperatingSystem;

/**
 * Reads the machine's metrics through OSHI. CPU % and network throughput are rates, so they are
 * computed from the counters' change since the previous sample (the first sample has neither;
 * the constructor takes the baseline). Disks: local, real file systems only (see
 * {@link #PSEUDO_FILESYSTEMS}), at most {@link #MAX_MOUNTS}. Network: the sum over non-loopback
 * interfaces; an interface whose counters went backwards (reset, re-created) counts 0 that round.
 * Each metric is read on its own, so one that fails (OSHI cannot read it on this OS) is left out
 * and the rest are still reported.
 */
public final class OshiSampler implements MetricsSampler {
    private static final Logger log = LoggerFactory.getLogger(OshiSampler.class);
    static final Set<String> PSEUDO_FILESYSTEMS = Set.of("tmpfs", "devtmpfs", "overlay", "overlayfs", "proc", "sysfs", "cgroup",
            "cgroup2", "devpts", "mqueue", "debugfs", "tracefs", "securityfs", "pstore", "bpf", "configfs", "fusectl", "hugetlbfs",
            "autofs", "binfmt_misc", "squashfs", "nsfs", "ramfs", "rpc_pipefs", "efivarfs", "selinuxfs", "fuse.lxcfs", "iso9660",
            "udf", "devfs", "nullfs", "fdescfs", "shm", "aufs");
    static final int MAX_MOUNTS = 32;

    private final SystemInfo system = new SystemInfo();
    private final HardwareAbstractionLayer hardware = system.getHardware();
    private final OperatingSystem os = system.getOperatingSystem();
    private final CentralProcessor cpu = hardware.getProcessor();
    private long[] previousTicks;
    private Map<String, long[]> previousNet;
    private long previousNetNanos;
    private final Set<String> failing = new TreeSet<>();

    public OshiSampler() {
        previousTicks = cpu.getSystemCpuLoadTicks();
        previousNet = netCounters();
        previousNetNanos = System.nanoTime();
    }

    @Override
    public synchronized Map<String, Double> sample() {
        Map<String, Double> out = new TreeMap<>();
        read("cpu", () -> {
            long[] ticks = cpu.getSystemCpuLoadTicks();
            double load = cpu.getSystemCpuLoadBetweenTicks(previousTicks);
            previousTicks = ticks;
            if (load >= 0 && !Double.isNaN(load)) {
                out.put(MetricName.CPU_PERCENT, clampPercent(load * 100));
            }
        });
        read("load", () -> {
            double[] load = cpu.getSystemLoadAverage(3);
            if (load[0] >= 0) {
                out.put(MetricName.LOAD_1, load[0]);
                out.put(MetricName.LOAD_5, load[1]);
                out.put(MetricName.LOAD_15, load[2]);
            }
        });
        read("memory", () -> {
            GlobalMemory memory = hardware.getMemory();
            long total = memory.getTotal();
            long used = total - memory.getAvailable();
            out.put(MetricName.MEMORY_TOTAL_BYTES, (double) total);
            out.put(MetricName.MEMORY_USED_BYTES, (double) used);
            if (total > 0) {
                out.put(MetricName.MEMORY_PERCENT, clampPercent(100.0 * used / total));
            }
            VirtualMemory swap = memory.getVirtualMemory();
            long swapTotal = swap.getSwapTotal();
            out.put(MetricName.SWAP_TOTAL_BYTES, (double) swapTotal);
            out.put(MetricName.SWAP_USED_BYTES, (double) swap.getSwapUsed());
            out.put(MetricName.SWAP_PERCENT, swapTotal > 0 ? clampPercent(100.0 * swap.getSwapUsed() / swapTotal) : 0.0);
        });
        read("disks", () -> disks(out));
        read("network", () -> {
            Map<String, long[]> now = netCounters();
            long nanos = System.nanoTime();
            double seconds = (nanos - previousNetNanos) / 1e9;
            if (seconds > 0.2) {
                long rx = 0;
                long tx = 0;
                for (Map.Entry<String, long[]> e : now.entrySet()) {
                    long[] before = previousNet.get(e.getKey());
                    if (before != null && e.getValue()[0] >= before[0] && e.getValue()[1] >= before[1]) {
                        rx += e.getValue()[0] - before[0];
                        tx += e.getValue()[1] - before[1];
                    }
                }
                out.put(MetricName.NET_RX_BYTES_PER_SECOND, (double) Math.round(rx / seconds));
                out.put(MetricName.NET_TX_BYTES_PER_SECOND, (double) Math.round(tx / seconds));
            }
            previousNet = now;
            previousNetNanos = nanos;
        });
        read("uptime", () -> out.put(MetricName.UPTIME_SECONDS, (double) os.getSystemUptime()));
        read("users", () -> {
            TreeSet<String> users = new TreeSet<>();
            os.getSessions().forEach(session -> users.add(session.getUserName()));
            out.put(MetricName.USERS_COUNT, (double) users.size());
        });
        return out;
    }

    private void disks(Map<String, Double> out) {
        List<OSFileStore> stores = os.getFileSystem().getFileStores(true);
        int mounts = 0;
        for (OSFileStore store : stores) {
            String type = store.getType() == null ? "" : store.getType().toLowerCase(Locale.ROOT);
            long total = store.getTotalSpace();
            if (PSEUDO_FILESYSTEMS.contains(type) || total <= 0 || store.getMount() == null || store.getMount().isEmpty()) {
                continue;
            }
            if (++mounts > MAX_MOUNTS) {
                break;
            }
            long usable = store.getUsableSpace();
            long used = total - store.getFreeSpace();
            // As df computes Use%: used / (used + available to unprivileged users).
            double percent = used + usable > 0 ? 100.0 * used / (used + usable) : 0;
            String mount = store.getMount();
            out.put(MetricName.perMount(MetricName.DISK_PERCENT, mount), clampPercent(percent));
            out.put(MetricName.perMount(MetricName.DISK_FREE_BYTES, mount), (double) usable);
            out.put(MetricName.perMount(MetricName.DISK_TOTAL_BYTES, mount), (double) total);
        }
    }

    private Map<String, long[]> netCounters() {
        Map<String, long[]> out = new HashMap<>();
        try {
            for (NetworkIF nic : hardware.getNetworkIFs(false)) {
                if (nic.getName().equals("lo") || nic.queryNetworkInterface() != null && nic.queryNetworkInterface().isLoopback()) {
                    continue;
                }
                out.put(nic.getName(), new long[] {nic.getBytesRecv(), nic.getBytesSent()});
            }
        } catch (RuntimeException | java.net.SocketException e) {
            // counted as no interfaces this round
        }
        return out;
    }

    private static double clampPercent(double percent) {
        return Math.max(0, Math.min(100, percent));
    }

    private void read(String what, Runnable reader) {
        try {
            reader.run();
            failing.remove(what);
        } catch (RuntimeException | LinkageError e) {
            if (failing.add(what)) {
                log.warn("cannot read {} metrics on this machine: {}", what, e.toString());
            }
        }
    }
}
