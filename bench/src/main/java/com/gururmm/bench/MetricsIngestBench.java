package com.gururmm.bench;

import com.gururmm.bench.sim.SimulatedAgent;
import com.gururmm.bench.sim.Simulator;
import com.gururmm.protocol.wire.AgentMessage.MetricsReport;
import com.gururmm.protocol.wire.MetricSample;
import com.gururmm.server.db.Database;
import com.gururmm.server.events.InProcessEventBus;
import com.gururmm.server.metrics.MetricStore;
import com.gururmm.server.metrics.MetricsService;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * The metrics ingestion scenario (issue 9): 10,000 agents at one sample a minute.
 *
 * <p>Part 1, over the wire: N simulated agents (real WebSockets, the real gateway, handler, validation and
 * store in the server process) each send one sample at a random moment of one minute — the real
 * rate — and then, compressing time, a batch of {@link #BURST} one-a-minute samples of an earlier
 * hour as fast as the server takes them. Server CPU is its process CPU time over wall time.
 *
 * <p>Part 2, storage, in this JVM: {@link #STORE_AGENTS} agents' day of samples through the real
 * {@link MetricsService} (ingest, then the upkeep that packs each agent-hour) into a fresh
 * database of the same kind; the bytes the packed hours take on disk are extrapolated to a
 * 30-day month per agent. Storage per agent does not depend on the number of agents, so a
 * smaller fleet measures it in seconds instead of hours.
 */
final class MetricsIngestBench {
    static final int BURST = 5;
    static final int STORE_AGENTS = 20;
    static final int STORE_HOURS = 24;

    private MetricsIngestBench() {
    }

    /** A plausible machine: CPU noise, slow load and memory drift, two disks, busy-ish network. */
    static final class Machine {
        private final Random random;
        private double load = 0.5;
        private double memUsed = 3.0e9;
        private double dataFree = 400e9;
        private final double rootFree;
        private long uptime;

        Machine(long seed) {
            random = new Random(seed);
            rootFree = 20e9 + random.nextInt(1000) * 1e7;
            uptime = 86_400L * (1 + random.nextInt(30));
        }

        Map<String, Double> next() {
            Map<String, Double> v = new TreeMap<>();
            double cpu = Math.max(0, Math.min(100, 15 + random.nextGaussian() * 8));
            load = Math.max(0, load + random.nextGaussian() * 0.05);
            memUsed = Math.max(1e9, Math.min(7.5e9, memUsed + random.nextGaussian() * 2e7));
            dataFree = Math.max(0, dataFree - random.nextInt(50_000_000));
            uptime += 60;
            v.put("cpu.percent", cpu);
            v.put("load.1", load);
            v.put("load.5", load * 0.9);
            v.put("load.15", load * 0.8);
            v.put("memory.total_bytes", 8.0e9);
            v.put("memory.used_bytes", Math.rint(memUsed));
            v.put("memory.percent", memUsed / 8.0e9 * 100);
            v.put("swap.total_bytes", 2.0e9);
            v.put("swap.used_bytes", 1.0e8);
            v.put("swap.percent", 5.0);
            v.put("net.rx_bps", (double) random.nextInt(200_000));
            v.put("net.tx_bps", (double) random.nextInt(50_000));
            v.put("uptime.seconds", (double) uptime);
            v.put("users.count", 1.0);
            v.put("disk.percent:/", (1 - rootFree / 100e9) * 100);
            v.put("disk.free_bytes:/", rootFree);
            v.put("disk.total_bytes:/", 100e9);
            v.put("disk.percent:/data", (1 - dataFree / 1000e9) * 100);
            v.put("disk.free_bytes:/data", Math.rint(dataFree));
            v.put("disk.total_bytes:/data", 1000e9);
            return v;
        }
    }

    /** Part 1: real rate for one minute, then a burst; returns nothing, adds rows to {@code r}. */
    static void overTheWire(Report r, ServerProcess server, Simulator sim, int n, java.util.function.LongSupplier dbWrites) throws Exception {
        List<SimulatedAgent> agents = sim.agents();
        Machine[] machines = new Machine[n];
        for (int i = 0; i < n; i++) {
            machines[i] = new Machine(i);
        }
        Thread.sleep(3_000); // let the connect settle before measuring
        long idleCpu0 = server.cpuMillis();
        long idle0 = System.nanoTime();
        Thread.sleep(30_000);
        double idlePercent = (server.cpuMillis() - idleCpu0) / 10.0 / ((System.nanoTime() - idle0) / 1e9);
        r.add("baseline: server CPU with " + n + " agents connected, heartbeating, no metrics (30 s)", String.format("%.2f %% of one core", idlePercent));
        // Burst first, so the real-rate minute after it measures a warmed-up server (JIT compilation counts as process CPU).
        // Burst: every agent sends BURST one-a-minute samples of an hour three hours ago, as fast as the server takes them.
        long hourAgo = Instant.now().getEpochSecond() / 3600 * 3600 - 3 * 3600;
        long acks0 = sim.metricsCounts()[0];
        long stored0 = sim.metricsCounts()[1];
        long bWrites0 = dbWrites.getAsLong();
        long bCpu0 = server.cpuMillis();
        long bT0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
            List<MetricSample> batch = new ArrayList<>(BURST);
            for (int k = 0; k < BURST; k++) {
                batch.add(new MetricSample(Instant.ofEpochSecond(hourAgo + 60L * k + (i % 60)), machines[i].next()));
            }
            agents.get(i).sendMetrics(new MetricsReport(UUID.randomUUID(), batch));
        }
        long bDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(240);
        while (sim.metricsCounts()[0] < acks0 + n && System.nanoTime() < bDeadline) {
            Thread.sleep(100);
        }
        double bWall = (System.nanoTime() - bT0) / 1e9;
        long bCpu1 = server.cpuMillis();
        long bWrites1 = dbWrites.getAsLong();
        long stored = sim.metricsCounts()[1] - stored0;
        double cpuPerSampleUs = ((bCpu1 - bCpu0) - idlePercent * 10 * bWall) * 1000.0 / Math.max(1, stored);
        r.add("burst: " + n + " agents × " + BURST + " samples as fast as possible", String.format("%d stored in %.1f s: %.0f samples/s",
                stored, bWall, stored / bWall));
        r.add("burst (also the warm-up): server CPU per sample, minus the baseline", String.format("%.0f µs", cpuPerSampleUs));
        double projected = cpuPerSampleUs * n / 60.0 / 1e6 * 100;
        r.add("burst: projected CPU at " + n + " samples/min (CPU per sample × rate)", String.format("%.2f %% of one core", projected),
                "< 5 % of one core", projected < 5);
        if (bWrites1 >= 0) {
            r.add("burst: database rows written/s (pg_stat_database)", String.format("%.0f", (bWrites1 - bWrites0) / bWall));
        }
        r.add("load average after the burst", Report.loadAverage());
        long rAcks0 = sim.metricsCounts()[0];
        long rStored0 = sim.metricsCounts()[1];
        long rRefused0 = sim.metricsCounts()[2];
        long writes0 = dbWrites.getAsLong();
        long cpu0 = server.cpuMillis();
        long t0 = System.nanoTime();
        Random random = new Random(42);
        var scheduler = java.util.concurrent.Executors.newScheduledThreadPool(2);
        for (int i = 0; i < n; i++) {
            SimulatedAgent agent = agents.get(i);
            Machine m = machines[i];
            scheduler.schedule(() -> {
                agent.sendMetrics(new MetricsReport(UUID.randomUUID(), List.of(new MetricSample(Instant.now(), m.next()))));
            }, random.nextInt(60_000), TimeUnit.MILLISECONDS);
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (sim.metricsCounts()[0] < rAcks0 + n && System.nanoTime() < deadline) {
            Thread.sleep(200);
        }
        double wall = (System.nanoTime() - t0) / 1e9;
        long cpu1 = server.cpuMillis();
        long writes1 = dbWrites.getAsLong();
        long[] counts = sim.metricsCounts();
        double percent = (cpu1 - cpu0) / 10.0 / wall;
        r.add("real rate: " + n + " agents × 1 sample in one minute — samples stored", (counts[1] - rStored0) + " of " + n + " (" + (counts[2] - rRefused0) + " refused)");
        r.add("real rate: server CPU (process CPU time / wall, " + String.format("%.0f", wall) + " s)",
                String.format("%.2f %% of one core", percent));
        r.add("real rate: server CPU for metrics (minus the baseline)", String.format("%.2f %% of one core", percent - idlePercent),
                "< 5 % of one core", percent - idlePercent < 5);
        if (writes1 >= 0) {
            r.add("real rate: database rows written/s (pg_stat_database)", String.format("%.0f", (writes1 - writes0) / wall));
        }
        r.add("load average after the real-rate minute", Report.loadAverage());

        scheduler.shutdownNow();
    }

    /** Part 2: bytes per agent per month, through the real store, on a fresh database of the given kind. */
    static void storage(Report r, String db, String pgAdminUrl) throws Exception {
        String url;
        String pgName = null;
        Path h2Dir = null;
        if (db.equals("postgres")) {
            pgName = "gururmm_bench_store_" + UUID.randomUUID().toString().substring(0, 8);
            try (Connection c = DriverManager.getConnection(pgAdminUrl); Statement s = c.createStatement()) {
                s.execute("CREATE DATABASE " + pgName);
            }
            url = pgAdminUrl.replaceFirst("/test(\\?|$)", "/" + pgName + "$1");
        } else {
            h2Dir = Files.createTempDirectory("gururmm-bench-h2-");
            url = "jdbc:h2:file:" + h2Dir.resolve("gururmm") + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH";
        }
        try {
            long emptyBytes = 0;
            if (h2Dir != null) {
                Database.open(url, "", "").close();
                emptyBytes = compactedH2(url, h2Dir);
            }
            Instant end = Instant.ofEpochSecond(Instant.now().getEpochSecond() / 3600 * 3600 - 3600);
            Instant start = end.minus(Duration.ofHours(STORE_HOURS));
            long t0 = System.nanoTime();
            long samples = 0;
            try (Database database = Database.open(url, "", ""); InProcessEventBus bus = new InProcessEventBus()) {
                MetricsService service = new MetricsService(new MetricStore(database.jdbi()), bus, Clock.systemUTC(), Duration.ofDays(30));
                for (int a = 0; a < STORE_AGENTS; a++) {
                    UUID agent = UUID.randomUUID();
                    Machine m = new Machine(1000 + a);
                    List<MetricSample> batch = new ArrayList<>();
                    for (long t = start.getEpochSecond() + a % 60; t < end.getEpochSecond(); t += 60) {
                        batch.add(new MetricSample(Instant.ofEpochSecond(t), m.next()));
                        if (batch.size() == 60) {
                            samples += service.ingest(agent, new MetricsReport(UUID.randomUUID(), batch)).stored();
                            batch = new ArrayList<>();
                        }
                    }
                    if (!batch.isEmpty()) {
                        samples += service.ingest(agent, new MetricsReport(UUID.randomUUID(), batch)).stored();
                    }
                }
                double ingestSeconds = (System.nanoTime() - t0) / 1e9;
                long p0 = System.nanoTime();
                var threads = java.lang.management.ManagementFactory.getThreadMXBean();
                long packCpu0 = threads.getCurrentThreadCpuTime();
                MetricsService.Upkeep upkeep;
                int hours = 0;
                do {
                    upkeep = service.maintain();
                    hours += upkeep.hoursPacked();
                } while (upkeep.hoursPacked() > 0);
                double packSeconds = (System.nanoTime() - p0) / 1e9;
                double packCpuMs = (threads.getCurrentThreadCpuTime() - packCpu0) / 1e6 / Math.max(1, hours);
                r.add("upkeep: packing, CPU per agent-hour in the server thread (" + (pgName != null ? "PostgreSQL's own CPU not included"
                                : "embedded H2 included") + ")",
                        String.format("%.2f ms; for 10,000 agents %.2f %% of one core", packCpuMs, packCpuMs * 10_000 / 3_600_000.0 * 100));
                r.add("storage: samples through the real store in-process (" + STORE_AGENTS + " agents × " + STORE_HOURS + " h)",
                        String.format("%d in %.1f s (%.0f/s), packed %d agent-hours in %.1f s", samples, ingestSeconds, samples / ingestSeconds,
                                hours, packSeconds));
                long bytes;
                String how;
                if (pgName != null) {
                    try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
                        s.execute("VACUUM FULL metric_hour");
                        s.execute("VACUUM FULL metric_recent");
                        try (ResultSet rs = s.executeQuery("SELECT pg_total_relation_size('metric_hour'), pg_total_relation_size('metric_latest'),"
                                + " (SELECT AVG(pg_column_size(raw)) FROM metric_hour), (SELECT AVG(pg_column_size(rollup)) FROM metric_hour)")) {
                            rs.next();
                            bytes = rs.getLong(1);
                            how = String.format("pg_total_relation_size(metric_hour) after VACUUM FULL (table, TOAST, indexes); raw blob %.0f B,"
                                    + " rollup blob %.0f B per agent-hour on average; metric_latest %d B for %d agents", rs.getDouble(3),
                                    rs.getDouble(4), rs.getLong(2), STORE_AGENTS);
                        }
                    }
                } else {
                    bytes = -1;
                    how = null;
                }
                if (h2Dir != null) {
                    database.close();
                    bytes = compactedH2(url, h2Dir) - emptyBytes;
                    how = "H2 file size after SHUTDOWN COMPACT minus the compacted empty schema";
                }
                double perAgentHour = (double) bytes / (STORE_AGENTS * (double) STORE_HOURS);
                double perMonth = perAgentHour * 720;
                r.add("storage: bytes per agent-hour (" + how + ")", String.format("%.0f B (%.1f B per sample)", perAgentHour, perAgentHour / 60));
                r.add("storage per agent per month at 30-day retention (× 720 hours)", String.format("%.2f MiB", perMonth / 1048576.0),
                        "< 2 MiB", perMonth < 2 * 1048576.0);
                r.add("storage for 10,000 agents at 30-day retention", String.format("%.1f GiB", perMonth * 10_000 / (1L << 30)));
            }
        } finally {
            if (pgName != null) {
                try (Connection c = DriverManager.getConnection(pgAdminUrl); Statement s = c.createStatement()) {
                    s.execute("DROP DATABASE IF EXISTS " + pgName + " WITH (FORCE)");
                }
            }
        }
    }

    private static long compactedH2(String url, Path dir) throws Exception {
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
            s.execute("SHUTDOWN COMPACT");
        }
        try (var files = Files.list(dir)) {
            return files.filter(p -> p.toString().endsWith(".mv.db")).mapToLong(p -> p.toFile().length()).sum();
        }
    }
}
