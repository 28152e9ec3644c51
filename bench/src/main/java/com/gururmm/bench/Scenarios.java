package com.gururmm.bench;

import com.gururmm.bench.sim.Executor;
import com.gururmm.bench.sim.Simulator;
import com.gururmm.client.GuruApiException;
import com.gururmm.client.GuruClient;
import com.gururmm.protocol.CommandStatus;
import com.gururmm.protocol.api.Agents.AgentSummary;
import com.gururmm.protocol.api.Batches.AgentFilter;
import com.gururmm.protocol.api.Batches.BatchRequest;
import com.gururmm.protocol.api.Batches.BatchView;
import com.gururmm.protocol.api.Commands.CommandRequest;
import com.gururmm.protocol.api.Commands.CommandView;
import com.gururmm.protocol.api.EnrollmentTokens.CreateRequest;
import java.net.URI;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The scenarios of docs/BENCHMARKS.md. Each starts its own server process on a fresh data dir
 * (and a fresh PostgreSQL database with {@code --db postgres}), so runs do not leak into each
 * other, and stops everything it started before returning.
 */
final class Scenarios {
    private static final String PG_ADMIN_URL = System.getenv().getOrDefault("GURURMM_BENCH_PG_URL",
            "jdbc:postgresql://127.0.0.1:5432/test?user=postgres");
    /** Handshakes in flight while connecting; enough to keep both cores busy, not a SYN flood. */
    private static final int CONNECT_IN_FLIGHT = 256;

    private final Path root;
    private final String db;
    private final String args;

    Scenarios(Path root, String db, String args) {
        this.root = root;
        this.db = db;
        this.args = args;
    }

    /** A running server with N simulated agents enrolled and connected. */
    private final class Setup implements AutoCloseable {
        final ServerProcess server;
        final GuruClient admin;
        final String enrollToken;
        final String pgName;
        Simulator sim;

        Setup() throws Exception {
            pgName = db.equals("postgres") ? "gururmm_bench_" + UUID.randomUUID().toString().substring(0, 8) : null;
            String url = null;
            if (pgName != null) {
                try (Connection c = DriverManager.getConnection(PG_ADMIN_URL); Statement s = c.createStatement()) {
                    s.execute("CREATE DATABASE " + pgName);
                }
                url = PG_ADMIN_URL.replaceFirst("/test(\\?|$)", "/" + pgName + "$1");
            } else if (!db.equals("h2")) {
                throw new IllegalArgumentException("--db must be h2 or postgres; got " + db);
            }
            List<String> jvm = List.of(System.getenv().getOrDefault("BENCH_SERVER_JVM_OPTS", "-Xmx1g").trim().split("\\s+"));
            server = new ServerProcess(root.resolve("server/target/gururmm-server.jar"), url, jvm);
            server.start();
            admin = new GuruClient(server.url());
            admin.login(ServerProcess.ADMIN_EMAIL, ServerProcess.ADMIN_PASSWORD);
            enrollToken = admin.createEnrollmentToken(new CreateRequest(null, 24, null)).token();
        }

        Simulator agents(String executor, int n) throws InterruptedException {
            sim = new Simulator(server.url(), Executor.named(executor), n);
            sim.enroll(enrollToken, n, 8);
            connect(Duration.ofMinutes(10));
            return sim;
        }

        Duration connect(Duration timeout) throws InterruptedException {
            Duration took = sim.connectAll(CONNECT_IN_FLIGHT, timeout);
            if (sim.online() < sim.agents().size()) {
                throw new IllegalStateException("only " + sim.online() + " of " + sim.agents().size() + " agents connected within "
                        + timeout.toSeconds() + " s (connect failures: " + sim.connectFailures() + "); see " + server.log());
            }
            return took;
        }

        long dbWrites() throws SQLException {
            try (Connection c = DriverManager.getConnection(PG_ADMIN_URL); Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT tup_inserted + tup_updated + tup_deleted FROM pg_stat_database WHERE datname = '" + pgName + "'")) {
                rs.next();
                return rs.getLong(1);
            }
        }

        @Override
        public void close() throws Exception {
            if (sim != null) {
                sim.close();
            }
            server.close();
            if (pgName != null) {
                try (Connection c = DriverManager.getConnection(PG_ADMIN_URL); Statement s = c.createStatement()) {
                    s.execute("DROP DATABASE IF EXISTS " + pgName + " WITH (FORCE)");
                }
            }
        }
    }

    private Report report(String title) {
        return new Report(title + " (" + db + ")", "bench/run.sh " + args);
    }

    // --- 1. connect ---

    Report connect(int n) throws Exception {
        Report r = report("connect, N=" + n);
        try (Setup s = new Setup()) {
            Simulator one = new Simulator(s.server.url(), Executor.named("echo"), 1);
            one.enroll(s.enrollToken, 1, 1);
            one.connectAll(1, Duration.ofSeconds(30));
            Thread.sleep(3_000);
            long heap0 = s.server.heapUsedAfterGcBytes();
            long rss1 = s.server.rssBytes();
            r.add("server RSS, idle, one agent, embedded DB", Report.mib(rss1), "≤ 175 MiB", rss1 <= 175L << 20);
            r.add("server heap after GC, one agent", Report.mib(heap0));
            one.close();

            long cpu0 = s.server.cpuMillis();
            s.sim = new Simulator(s.server.url(), Executor.named("echo"), n);
            Duration enroll = s.sim.enroll(s.enrollToken, n, 8);
            long cpu1 = s.server.cpuMillis();
            Duration connect = s.connect(Duration.ofMinutes(10));
            long cpu2 = s.server.cpuMillis();
            Thread.sleep(5_000);
            long heap = s.server.heapUsedAfterGcBytes();
            long rss = s.server.rssBytes();
            long perAgent = (heap - heap0) / n;
            r.add("enroll " + n + " agents (8 in parallel)", Report.ms(enroll.toMillis()) + String.format(" (%.0f/s)", n / (enroll.toMillis() / 1000.0)));
            r.add("connect " + n + " agents (hello → welcome)", Report.ms(connect.toMillis()) + String.format(" (%.0f/s)", n / (connect.toMillis() / 1000.0)));
            r.add("server CPU during enroll", String.format("%.1f s (%.0f %% of one core)", (cpu1 - cpu0) / 1000.0, 100.0 * (cpu1 - cpu0) / enroll.toMillis()));
            r.add("server CPU during connect", String.format("%.1f s (%.0f %% of one core)", (cpu2 - cpu1) / 1000.0, 100.0 * (cpu2 - cpu1) / Math.max(1, connect.toMillis())));
            r.add("server heap after GC, N connected", Report.mib(heap), "≤ 512 MiB", heap <= 512L << 20);
            r.add("heap per connected agent", String.format("%.1f KiB", perAgent / 1024.0), "≤ 20 KiB", perAgent <= 20 * 1024);
            r.add("server RSS, N connected", Report.mib(rss) + String.format(" (%.1f KiB per agent over the one-agent RSS)", (rss - rss1) / 1024.0 / n));
            r.add("agents online / disconnects / connect failures", s.sim.online() + " / " + s.sim.disconnects() + " / " + s.sim.connectFailures());
            r.note("Server JVM options: `" + System.getenv().getOrDefault("BENCH_SERVER_JVM_OPTS", "-Xmx1g") + "`; heap is `jcmd GC.heap_info` used right after `jcmd GC.run`.");
        }
        return r;
    }

    // --- 2. idle ---

    Report idle(int n, int seconds) throws Exception {
        Report r = report("idle, N=" + n + ", " + seconds + " s");
        try (Setup s = new Setup()) {
            s.agents("echo", n);
            Thread.sleep(35_000); // one heartbeat interval, so start-up writes are behind us
            long cpu0 = s.server.cpuMillis();
            long w0 = s.pgName == null ? 0 : s.dbWrites();
            int disc0 = s.sim.disconnects();
            long t0 = System.nanoTime();
            Thread.sleep(seconds * 1000L);
            double elapsed = (System.nanoTime() - t0) / 1e9;
            long cpu = s.server.cpuMillis() - cpu0;
            r.add("server CPU", String.format("%.1f %% of one core (%.1f s CPU in %.0f s)", 100.0 * cpu / 1000.0 / elapsed, cpu / 1000.0, elapsed));
            if (s.pgName != null) {
                long writes = s.dbWrites() - w0;
                r.add("database row writes/s (pg_stat_database)", String.format("%.1f", writes / elapsed));
            } else {
                r.add("database row writes/s", "not measured on H2; run with --db postgres");
            }
            r.add("heartbeats/s sent (N / 30 s)", String.format("%.0f", n / 30.0));
            r.add("disconnects while idle", Integer.toString(s.sim.disconnects() - disc0));
            r.add("server RSS at end", Report.mib(s.server.rssBytes()));
        }
        return r;
    }

    // --- 3. round trip ---

    Report roundTrip(int count) throws Exception {
        Report r = report("round trip, " + count + " sequential commands to one agent");
        try (Setup s = new Setup()) {
            Breakdown echoParts = new Breakdown();
            Breakdown realParts = new Breakdown();
            Stats echo = sequential(s, "echo", count, echoParts);
            Stats real = sequential(s, "process", count, realParts);
            Stats spawn = new Stats();
            for (int i = 0; i < count; i++) {
                long t0 = System.nanoTime();
                Process p = new ProcessBuilder("sh", "-c", "echo hi").start();
                p.getInputStream().readAllBytes();
                p.waitFor();
                spawn.add(System.nanoTime() - t0);
            }
            r.add("submit → result readable, in-process executor, p50", Report.ms(echo.percentileMillis(50)));
            r.add("submit → result readable, in-process executor, p99", Report.ms(echo.percentileMillis(99)));
            r.add("submit → result readable, real `sh -c 'echo hi'`, p50", Report.ms(real.percentileMillis(50)), "≤ 3 ms", real.percentileMillis(50) <= 3);
            r.add("submit → result readable, real `sh -c 'echo hi'`, p99", Report.ms(real.percentileMillis(99)), "≤ 10 ms", real.percentileMillis(99) <= 10);
            r.add("in-process executor, p50 / p99 of parts", echoParts.describe());
            r.add("real `sh`, p50 / p99 of parts", realParts.describe());
            r.add("bare spawn of `sh -c 'echo hi'` (floor), p50 / p99", Report.ms(spawn.percentileMillis(50)) + " / " + Report.ms(spawn.percentileMillis(99)));
            r.note("Latency is from just before `POST /api/agents/{id}/command` to the `GET /api/commands/{id}` that first returns a "
                    + "terminal status; the client polls back to back (no sleep). The real-process agent is the simulator "
                    + "forking `sh` exactly as the agent does, not the agent JVM.");
        }
        return r;
    }

    /** Where a round trip's time goes: the POST itself, and until the agent holds the server's ack. */
    private record Breakdown(Stats post, Stats stored) {
        Breakdown() {
            this(new Stats(), new Stats());
        }

        String describe() {
            return "POST " + Report.ms(post.percentileMillis(50)) + " / " + Report.ms(post.percentileMillis(99))
                    + "; submit → result stored (ack at the agent) " + Report.ms(stored.percentileMillis(50)) + " / "
                    + Report.ms(stored.percentileMillis(99));
        }
    }

    private Stats sequential(Setup s, String executor, int count, Breakdown breakdown) throws Exception {
        try (Simulator sim = new Simulator(s.server.url(), Executor.named(executor), 1)) {
            sim.enroll(s.enrollToken, 1, 1);
            sim.connectAll(1, Duration.ofSeconds(30));
            UUID agent = sim.agents().get(0).agentId();
            CommandRequest request = new CommandRequest("sh", "echo hi", null, 30);
            for (int i = 0; i < 50; i++) { // warm-up: JIT, connection pools
                await(s.admin, s.admin.runCommand(agent, request).commandId());
            }
            Stats stats = new Stats();
            for (int i = 0; i < count; i++) {
                long t0 = System.nanoTime();
                UUID id = s.admin.runCommand(agent, request).commandId();
                long posted = System.nanoTime();
                CommandView v = await(s.admin, id);
                long readable = System.nanoTime();
                stats.add(readable - t0);
                breakdown.post.add(posted - t0);
                Long acked = sim.ackedAt(id);
                if (acked != null) {
                    breakdown.stored.add(acked - t0);
                }
                if (!"hi\n".equals(v.stdout())) {
                    throw new IllegalStateException("unexpected result " + v);
                }
            }
            return stats;
        }
    }

    private static CommandView await(GuruClient client, UUID id) {
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (true) {
            CommandView v = client.command(id);
            if (CommandStatus.parse(v.status()).map(CommandStatus::isTerminal).orElse(true)) {
                return v;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("command " + id + " still " + v.status() + " after 30 s");
            }
        }
    }

    // --- 4. fan-out ---

    Report fanOut(int n) throws Exception {
        Report r = report("fan-out, N=" + n);
        try (Setup s = new Setup()) {
            s.agents("echo", n);
            Thread.sleep(2_000);
            s.sim.clearAcks();
            long cpu0 = s.server.cpuMillis();
            long t0 = System.nanoTime();
            var submitted = s.admin.runBatch(new BatchRequest(null, new AgentFilter(null, null, null, null), "sh", "echo hi", null, 60));
            long tPost = System.nanoTime();
            BatchView view;
            do {
                Thread.sleep(50);
                view = s.admin.batch(submitted.batchId(), false);
            } while (!view.done() && System.nanoTime() - t0 < 300_000_000_000L);
            long tDone = System.nanoTime();
            long cpu = s.server.cpuMillis() - cpu0;
            BatchView full = s.admin.batch(submitted.batchId(), true);
            Stats perAgent = new Stats();
            full.results().forEach(res -> {
                Long at = s.sim.ackedAt(res.commandId());
                if (at != null) {
                    perAgent.add(at - t0);
                }
            });
            double allMs = (tDone - t0) / 1e6;
            r.add("POST /api/commands returned (all " + n + " commands created and pushed)", Report.ms((tPost - t0) / 1e6));
            r.add("until every result is stored (batch done via API)", Report.ms(allMs), "≤ 5 s", view.done() && allMs <= 5000);
            r.add("per-agent submit → result stored (server ack), p50 / p99 / max",
                    Report.ms(perAgent.percentileMillis(50)) + " / " + Report.ms(perAgent.percentileMillis(99)) + " / " + Report.ms(perAgent.maxMillis()));
            r.add("server CPU for the whole fan-out", String.format("%.1f s (%.0f µs per agent)", cpu / 1000.0, cpu * 1000.0 / n));
            r.add("results completed / acknowledged", full.counts().getOrDefault("completed", 0) + " / " + perAgent.count());
            r.note("\"Done via API\" is measured by polling `GET /api/batches/{id}?results=false` every 50 ms, so it includes up to 50 ms of polling slack.");
        }
        return r;
    }

    // --- 5. reconnect storm ---

    Report reconnect(int n) throws Exception {
        Report r = report("reconnect storm, N=" + n);
        try (Setup s = new Setup()) {
            s.agents("echo", n);
            UUID probeAgent = s.sim.agents().get(0).agentId();
            AtomicBoolean probing = new AtomicBoolean(true);
            AtomicBoolean serverUp = new AtomicBoolean(true);
            AtomicInteger errorsWhileUp = new AtomicInteger();
            AtomicInteger downErrors = new AtomicInteger();
            Stats latency = new Stats();
            GuruClient prober = new GuruClient(s.server.url(), s.admin.token());
            Thread probe = Thread.ofPlatform().start(() -> {
                while (probing.get()) {
                    boolean up = serverUp.get();
                    long t0 = System.nanoTime();
                    try {
                        prober.agent(probeAgent);
                        if (up) {
                            latency.add(System.nanoTime() - t0);
                        }
                    } catch (GuruApiException e) {
                        (up ? errorsWhileUp : downErrors).incrementAndGet();
                    }
                    try {
                        Thread.sleep(20);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
            serverUp.set(false);
            long tStop = System.nanoTime();
            s.server.stop();
            long tStart = System.nanoTime();
            s.server.start();
            long tHealthy = System.nanoTime();
            serverUp.set(true);
            boolean all = s.sim.awaitOnline(n, Duration.ofSeconds(300));
            long tAll = System.nanoTime();
            Thread.sleep(2_000);
            probing.set(false);
            probe.join();
            double backMs = (tAll - tStart) / 1e6;
            r.add("server stop (SIGTERM → exit)", Report.ms((tStart - tStop) / 1e6));
            r.add("server start → healthy", Report.ms((tHealthy - tStart) / 1e6));
            r.add("server start → all " + n + " agents back", all ? Report.ms(backMs) : "NOT all back: " + s.sim.online() + " after 300 s",
                    "≤ 60 s", all && backMs <= 60_000);
            r.add("API errors once the server is up (GET /api/agents/{id} every 20 ms)", Integer.toString(errorsWhileUp.get()), "0", errorsWhileUp.get() == 0);
            r.add("API latency during the storm, p50 / p99 / max (" + latency.count() + " calls)",
                    Report.ms(latency.percentileMillis(50)) + " / " + Report.ms(latency.percentileMillis(99)) + " / " + Report.ms(latency.maxMillis()));
            r.add("calls refused while the server was down (expected)", Integer.toString(downErrors.get()));
            r.note("Agents reconnect with the real agent's back-off (1 s doubling to 60 s, uniform in [base/2, base]), "
                    + "so the time to all-back is bounded by how long the server was away, not just by how fast it accepts.");
        }
        return r;
    }

    // --- 6. list ---

    Report list(int n) throws Exception {
        Report r = report("list, N=" + n);
        try (Setup s = new Setup()) {
            s.agents("echo", n);
            for (int i = 0; i < 10; i++) {
                s.admin.agents();
            }
            Stats stats = new Stats();
            int size = 0;
            for (int i = 0; i < 100; i++) {
                long t0 = System.nanoTime();
                var raw = s.admin.raw("GET", "/api/agents", null, Map.of());
                stats.add(System.nanoTime() - t0);
                size = raw.body().length();
            }
            List<AgentSummary> agents = s.admin.agents();
            r.add("GET /api/agents p50", Report.ms(stats.percentileMillis(50)), "≤ 100 ms", stats.percentileMillis(50) <= 100);
            r.add("GET /api/agents p99", Report.ms(stats.percentileMillis(99)));
            r.add("agents listed / online", agents.size() + " / " + agents.stream().filter(a -> a.status().equals("online")).count());
            r.add("response size", String.format("%.1f MiB", size / 1048576.0));
        }
        return r;
    }

    // --- first command of a freshly installed agent ---

    Report firstCommand(int runs) throws Exception {
        Report r = report("first command of a freshly installed agent, " + runs + " runs");
        Path agentJar = root.resolve("agent/target/gururmm-agent.jar");
        try (Setup s = new Setup()) {
            Stats online = new Stats();
            Stats answered = new Stats();
            for (int i = 0; i < runs; i++) {
                Path home = Files.createTempDirectory("gururmm-bench-agent-");
                String machineId = UUID.randomUUID().toString().replace("-", "");
                Files.writeString(home.resolve("machine-id"), machineId + "\n");
                ProcessBuilder pb = new ProcessBuilder(ServerProcess.javaBin("java"),
                        // the JVM options packaging/linux/gururmm-agent starts the agent with (minus the
                        // class-data archive, which a fresh install does not have yet)
                        "-Xmx96m", "-XX:+UseSerialGC", "-XX:-UsePerfData", "-XX:TieredStopAtLevel=1",
                        "-jar", agentJar.toString())
                        .redirectErrorStream(true).redirectOutput(home.resolve("agent.log").toFile());
                pb.environment().put("GURURMM_SERVER_URL", s.server.url().toString());
                pb.environment().put("GURURMM_ENROLLMENT_TOKEN", s.enrollToken);
                pb.environment().put("GURURMM_STATE_DIR", home.resolve("state").toString());
                pb.environment().put("GURURMM_MACHINE_ID_FILE", home.resolve("machine-id").toString());
                long t0 = System.nanoTime();
                Process agent = pb.start();
                try {
                    UUID id = null;
                    while (id == null) {
                        if (System.nanoTime() - t0 > 60_000_000_000L || !agent.isAlive()) {
                            throw new IllegalStateException("agent did not come online; see " + home.resolve("agent.log"));
                        }
                        id = s.admin.agents(Map.of("status", "online")).stream()
                                .filter(a -> machineId.equals(a.machineUid())).map(AgentSummary::id).findFirst().orElse(null);
                        if (id == null) {
                            // Not a tighter spin: on two cores, a client hammering the API steals the CPU the
                            // starting agent JVM needs, and measures its own interference (at most 20 ms late).
                            Thread.sleep(20);
                        }
                    }
                    online.add(System.nanoTime() - t0);
                    CommandView v = await(s.admin, s.admin.runCommand(id, new CommandRequest("sh", "echo hi", null, 30)).commandId());
                    answered.add(System.nanoTime() - t0);
                    if (!"hi\n".equals(v.stdout())) {
                        throw new IllegalStateException("unexpected result " + v);
                    }
                } finally {
                    agent.destroy();
                    agent.waitFor();
                }
            }
            r.add("process start → listed online, p50 / max", Report.ms(online.percentileMillis(50)) + " / " + Report.ms(online.maxMillis()));
            r.add("process start → first command's result readable, p50 / max",
                    Report.ms(answered.percentileMillis(50)) + " / " + Report.ms(answered.maxMillis()), "≤ 1 s", answered.maxMillis() <= 1000);
            r.note("Each run is a new machine: `java -jar agent/target/gururmm-agent.jar` (with the wrapper's JVM options) with a fresh state dir and machine id, "
                    + "enrolling with a token, then `sh -c 'echo hi'` submitted as soon as the API lists it online.");
        }
        return r;
    }

    // --- round trip through the real agent (issue 14) ---

    /** The JVM options the installed agent runs with (packaging/linux/gururmm-agent.service); BENCH_AGENT_JVM_OPTS overrides. */
    static final String INSTALLED_AGENT_OPTS = "-Xms8m -Xmx64m -XX:+UseSerialGC -XX:-UsePerfData -XX:TieredStopAtLevel=1 -Xss512k "
            + "-XX:ReservedCodeCacheSize=16m -XX:MinHeapFreeRatio=10 -XX:MaxHeapFreeRatio=30";

    private static String agentOpts() {
        return System.getenv().getOrDefault("BENCH_AGENT_JVM_OPTS", INSTALLED_AGENT_OPTS).trim();
    }

    /** A real agent as the launcher installs a version: its own machine id, the jar in a directory of its own (its start-up cache beside it). */
    private record AgentInstall(Path home, Path jar, List<String> java) {
    }

    private AgentInstall installAgent(String opts) throws IOException {
        Path home = Files.createTempDirectory("gururmm-bench-agent-");
        Files.writeString(home.resolve("machine-id"), UUID.randomUUID().toString().replace("-", "") + "\n");
        Path jar = Files.copy(root.resolve("agent/target/gururmm-agent.jar"), home.resolve("gururmm-agent.jar"));
        List<String> java = new java.util.ArrayList<>();
        java.add(ServerProcess.javaBin("java"));
        java.addAll(List.of(opts.split("\\s+")));
        return new AgentInstall(home, jar, java);
    }

    Report realAgent(int count) throws Exception {
        Report r = report("round trip through the real agent, " + count + " sequential commands");
        String opts = agentOpts();
        try (Setup s = new Setup()) {
            AgentInstall install = installAgent(opts);
            Path home = install.home();
            Path jar = install.jar();
            List<String> java = install.java();
            CommandRequest request = new CommandRequest("bash", "echo hi", null, 30);

            // 1. Warm the server (and this client) with a first agent process, so that the next two starts
            //    measure the agent's own start-up, not the server's.
            Process agent = startAgent(s, home, java, jar, null);
            UUID id = awaitOnline(s, home, agent);
            for (int i = 0; i < 500; i++) {
                timedRoundTrip(s.admin, id, request, null, null);
            }
            stopAgent(agent);
            // 2. A fresh agent JVM without a start-up cache; 3. with one, made by the training run.
            Stats cold = firstCommands(s, home, java, jar, null);
            // BENCH_AGENT_AOT=0: no start-up cache (an agent build from before it, or a JDK older than 25).
            boolean aot = !"0".equals(System.getenv("BENCH_AGENT_AOT"));
            Path cache = aot ? home.resolve("agent.aot") : null;
            long trainingMs = -1;
            Stats cached = cold;
            if (aot) {
                List<String> train = new java.util.ArrayList<>(java);
                train.addAll(List.of("-XX:AOTCacheOutput=" + cache, "-jar", jar.toString(), "train"));
                long t0 = System.nanoTime();
                Process training = new ProcessBuilder(train).redirectErrorStream(true).redirectOutput(home.resolve("training.log").toFile()).start();
                if (training.waitFor() != 0) {
                    throw new IllegalStateException("the training run failed; see " + home.resolve("training.log"));
                }
                trainingMs = (System.nanoTime() - t0) / 1_000_000;
                cached = firstCommands(s, home, java, jar, cache);
            }

            // 4. Warm: the cached agent runs on; 500 more to warm it, then the measured run.
            awaitNoneOnline(s);
            agent = startAgent(s, home, java, jar, cache);
            try {
                id = awaitOnline(s, home, agent);
                for (int i = 0; i < 500; i++) {
                    timedRoundTrip(s.admin, id, request, null, null);
                }
                Stats total = new Stats();
                Stats post = new Stats();
                Stats waited = new Stats();
                LatencyHistogram before = LatencyHistogram.read(s.admin);
                for (int i = 0; i < count; i++) {
                    total.add(timedRoundTrip(s.admin, id, request, post, waited));
                }
                LatencyHistogram after = LatencyHistogram.read(s.admin);
                Thread.sleep(15_000); // idle: nothing running, heartbeats only
                long agentRss = ServerProcess.rssBytes(agent.pid());
                long serverRss = s.server.rssBytes();
                r.add("first 10 commands of a fresh agent JVM, no start-up cache, p50 / max",
                        Report.ms(cold.percentileMillis(50)) + " / " + Report.ms(cold.maxMillis()));
                if (aot) {
                    r.add("the same with its start-up cache (training run " + trainingMs + " ms), p50 / max",
                            Report.ms(cached.percentileMillis(50)) + " / " + Report.ms(cached.maxMillis()));
                }
                r.add("submit → result, REST POST + GET ?wait=30, real `bash`, warm, p50", Report.ms(total.percentileMillis(50)), "≤ 3 ms",
                        total.percentileMillis(50) <= 3);
                r.add("the same, p99", Report.ms(total.percentileMillis(99)), "≤ 10 ms", total.percentileMillis(99) <= 10);
                r.add("of which the POST, p50 / p99", Report.ms(post.percentileMillis(50)) + " / " + Report.ms(post.percentileMillis(99)));
                r.add("of which the GET ?wait (agent: claim, spawn, result stored), p50 / p99",
                        Report.ms(waited.percentileMillis(50)) + " / " + Report.ms(waited.percentileMillis(99)));
                r.add("server → agent → server (the server's histogram: first send until the result is stored), p50 / p99",
                        after.quantileSince(before, 0.5) + " / " + after.quantileSince(before, 0.99), "≤ 2 ms p50",
                        after.upperMillisSince(before, 0.5) <= 2);
                r.add("agent idle RSS" + (aot ? ", with its start-up cache" : ""), Report.mib(agentRss), "≤ 40 MB", agentRss <= 40L * 1000 * 1000);
                // Not the idle target's condition (a server that has only ever idled): its heap has grown under 2,000 commands.
                r.add("server RSS after the run, 15 s idle", Report.mib(serverRss));
                r.note("The real agent jar (`java " + opts + " [-XX:AOTCache=agent.aot] -jar gururmm-agent.jar`, MALLOC_ARENA_MAX=2, as the "
                        + "systemd unit runs it) on loopback, against a server already warmed by 500 commands of an earlier agent process; "
                        + "each command is `bash` running `echo hi`, submitted with `POST /api/agents/{id}/command` and read with one "
                        + "`GET /api/commands/{id}?wait=30`. The first commands are timed from the moment the agent is listed online. "
                        + "RSS is read from /proc after 15 s idle.");
            } finally {
                stopAgent(agent);
            }
        }
        return r;
    }

    // --- side by side with MeshCentral (issue 14) ---

    /**
     * GuruRMM's and MeshCentral's round trip in one run, interleaved in blocks of 100 so both see
     * the same load: GuruRMM's real agent (installed flags) with REST submit + {@code GET ?wait},
     * MeshCentral's stock agent with {@code runcommands} on a persistent operator session.
     */
    Report sideBySide(int count) throws Exception {
        Report r = report("round trip side by side with MeshCentral " + MeshCentralPeer.VERSION + ", " + count + " commands each");
        String opts = agentOpts();
        try (Setup s = new Setup(); MeshCentralPeer mesh = new MeshCentralPeer(root).start()) {
            AgentInstall install = installAgent(opts);
            Path home = install.home();
            CommandRequest request = new CommandRequest("bash", "echo hi", null, 30);
            Process agent = startAgent(s, home, install.java(), install.jar(), null);
            try {
                UUID id = awaitOnline(s, home, agent);
                for (int i = 0; i < 500; i++) { // both warm: JIT on our side, V8 on theirs
                    timedRoundTrip(s.admin, id, request, null, null);
                    mesh.roundTrip();
                }
                Stats ours = new Stats();
                Stats theirs = new Stats();
                LatencyHistogram before = LatencyHistogram.read(s.admin);
                int block = 100;
                for (int done = 0, round = 0; done < count; done += block, round++) {
                    int n = Math.min(block, count - done);
                    // Alternating which goes first, so neither always follows the other's work.
                    for (int side = 0; side < 2; side++) {
                        if ((side + round) % 2 == 0) {
                            for (int i = 0; i < n; i++) {
                                ours.add(timedRoundTrip(s.admin, id, request, null, null));
                            }
                        } else {
                            for (int i = 0; i < n; i++) {
                                theirs.add(mesh.roundTrip());
                            }
                        }
                    }
                }
                LatencyHistogram after = LatencyHistogram.read(s.admin);
                Thread.sleep(15_000);
                double ratio = ours.percentileMillis(50) / theirs.percentileMillis(50);
                r.add("MeshCentral: runcommands on a persistent operator session → output, p50 / p99",
                        Report.ms(theirs.percentileMillis(50)) + " / " + Report.ms(theirs.percentileMillis(99)));
                r.add("GuruRMM: REST POST + GET ?wait=30, real `bash`, p50", Report.ms(ours.percentileMillis(50)),
                        "≤ 3 ms and below MeshCentral's", ours.percentileMillis(50) <= 3 && ours.percentileMillis(50) < theirs.percentileMillis(50));
                r.add("GuruRMM, p99", Report.ms(ours.percentileMillis(99)), "≤ 10 ms", ours.percentileMillis(99) <= 10);
                r.add("GuruRMM p50 / MeshCentral p50", String.format("%.2f×", ratio));
                r.add("GuruRMM server → agent → server (its histogram), p50 / p99", after.quantileSince(before, 0.5) + " / "
                        + after.quantileSince(before, 0.99), "≤ 2 ms p50", after.upperMillisSince(before, 0.5) <= 2);
                r.add("agent idle RSS: GuruRMM / MeshCentral", Report.mib(ServerProcess.rssBytes(agent.pid())) + " / "
                        + Report.mib(ServerProcess.rssBytes(mesh.agentPid())));
                r.add("server RSS after the run: GuruRMM / MeshCentral", Report.mib(s.server.rssBytes()) + " / "
                        + Report.mib(ServerProcess.rssBytes(mesh.serverPid())));
                r.note("Both on loopback on this machine, measured in the same minutes: " + count + " commands each, interleaved in "
                        + "blocks of 100 (which side goes first alternates), after 500 warm-up commands each. GuruRMM: the real agent jar "
                        + "(`java " + opts + " -jar gururmm-agent.jar`), `bash` running `echo hi`, `POST /api/agents/{id}/command` then one "
                        + "`GET /api/commands/{id}?wait=30`, a new HTTP exchange each (keep-alive). MeshCentral " + MeshCentralPeer.VERSION
                        + " (npm) with its stock `meshagent_x86-64` in the foreground (`meshagent connect`): one WebSocket to "
                        + "`/control.ashx` kept open, `runcommands` (type 0, `echo hi <n>`, reply: true; the number because MeshCentral disconnects an agent whose console sends one line 30 times in a row) until its answer with "
                        + "the output. Both operators are this JVM (java.net.http).");
            } finally {
                stopAgent(agent);
            }
        }
        return r;
    }

    private Stats firstCommands(Setup s, Path home, List<String> java, Path jar, Path cache) throws Exception {
        awaitNoneOnline(s);
        Process agent = startAgent(s, home, java, jar, cache);
        try {
            UUID id = awaitOnline(s, home, agent);
            Stats first = new Stats();
            CommandRequest request = new CommandRequest("bash", "echo hi", null, 30);
            for (int i = 0; i < 10; i++) {
                first.add(timedRoundTrip(s.admin, id, request, null, null));
            }
            return first;
        } finally {
            stopAgent(agent);
        }
    }

    private static Process startAgent(Setup s, Path home, List<String> java, Path jar, Path cache) throws IOException {
        List<String> cmd = new java.util.ArrayList<>(java);
        if (cache != null) {
            cmd.add("-XX:AOTCache=" + cache);
        }
        cmd.addAll(List.of("-jar", jar.toString()));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(home.resolve("agent.log").toFile()));
        pb.environment().put("GURURMM_SERVER_URL", s.server.url().toString());
        pb.environment().put("GURURMM_ENROLLMENT_TOKEN", s.enrollToken);
        pb.environment().put("GURURMM_STATE_DIR", home.resolve("state").toString());
        pb.environment().put("GURURMM_MACHINE_ID_FILE", home.resolve("machine-id").toString());
        pb.environment().put("MALLOC_ARENA_MAX", "2"); // as packaging/linux/gururmm-agent.service sets it
        return pb.start();
    }

    private static void stopAgent(Process agent) throws InterruptedException {
        agent.destroy();
        agent.waitFor();
    }

    /** Until the server lists no agent online: the next start is measured from a clean offline state. */
    private static void awaitNoneOnline(Setup s) throws InterruptedException {
        long t0 = System.nanoTime();
        while (!s.admin.agents(Map.of("status", "online")).isEmpty() && System.nanoTime() - t0 < 30_000_000_000L) {
            Thread.sleep(20);
        }
    }

    /** Waits until the agent of state dir {@code home} is listed online (again); its id. */
    private static UUID awaitOnline(Setup s, Path home, Process agent) throws Exception {
        String machineId = Files.readString(home.resolve("machine-id")).trim();
        long t0 = System.nanoTime();
        while (true) {
            if (System.nanoTime() - t0 > 60_000_000_000L || !agent.isAlive()) {
                throw new IllegalStateException("agent did not come online; see " + home.resolve("agent.log"));
            }
            UUID id = s.admin.agents(Map.of("status", "online")).stream()
                    .filter(a -> machineId.equals(a.machineUid())).map(AgentSummary::id).findFirst().orElse(null);
            if (id != null) {
                return id;
            }
            Thread.sleep(20);
        }
    }

    private static long timedRoundTrip(GuruClient client, UUID agent, CommandRequest request, Stats post, Stats waited) {
        long t0 = System.nanoTime();
        UUID id = client.runCommand(agent, request).commandId();
        long t1 = System.nanoTime();
        CommandView v = client.command(id, 30);
        long t2 = System.nanoTime();
        if (!"hi\n".equals(v.stdout())) {
            throw new IllegalStateException("unexpected result " + v);
        }
        if (post != null) {
            post.add(t1 - t0);
            waited.add(t2 - t1);
        }
        return t2 - t0;
    }

    // --- metrics ingestion (issue 9) ---

    Report metrics(int n) throws Exception {
        Report r = report("metrics ingestion, N=" + n);
        try (Setup s = new Setup()) {
            s.agents("echo", n);
            MetricsIngestBench.overTheWire(r, s.server, s.sim, n, () -> {
                try {
                    return s.pgName == null ? -1 : s.dbWrites();
                } catch (SQLException e) {
                    return -1;
                }
            });
        }
        MetricsIngestBench.storage(r, db, PG_ADMIN_URL);
        r.note("Over the wire: simulated agents (bench/sim, real WebSockets) against the server process, so the figure includes"
                + " Jetty, decoding, validation and the store; the server's once-a-minute upkeep (packing finished hours) is not in"
                + " the real-rate minute. Storage: the real MetricsService in the bench JVM, extrapolated from "
                + MetricsIngestBench.STORE_AGENTS + " agents × " + MetricsIngestBench.STORE_HOURS + " h of plausible samples (20 values each, two disks).");
        return r;
    }

    // --- cluster: three nodes on PostgreSQL + NATS ---

    /**
     * Three server processes on one fresh PostgreSQL database and NATS, N/3 simulated agents
     * connected to each (each third in a simulator process of its own, see {@link
     * com.gururmm.bench.sim.SimNode}); a fan-out submitted on node B to every agent, waited for on
     * node C, every result stored; then node A is killed (SIGKILL) and its agents reconnect
     * elsewhere: time until every agent is back, and a second fan-out to all N afterwards.
     *
     * <p>Where A's agents go: the simulator plays a least-connections balancer with a per-node
     * connection cap (the open-file limit less 1,000 for the pool, NATS and files). What fits
     * goes to B and C; the rest goes to a replacement node started when A dies (what systemd's
     * {@code Restart=always} or an autoscaler gives). At 51,000 agents on these machines
     * (limit 20,000) that is 2,000 each to B and C and 13,000 to the replacement.
     */
    Report cluster(int n) throws Exception {
        if (!db.equals("postgres")) {
            throw new IllegalArgumentException("the cluster scenario needs --db postgres");
        }
        Report r = report("cluster, N=" + n + " across 3 nodes");
        String pgName = "gururmm_bench_" + UUID.randomUUID().toString().substring(0, 8);
        try (Connection c = DriverManager.getConnection(PG_ADMIN_URL); Statement st = c.createStatement()) {
            st.execute("CREATE DATABASE " + pgName);
        }
        String url = PG_ADMIN_URL.replaceFirst("/test(\\?|$)", "/" + pgName + "$1");
        List<String> jvm = List.of(System.getenv().getOrDefault("BENCH_CLUSTER_JVM_OPTS", "-Xmx1g").trim().split("\\s+"));
        List<String> simJvm = List.of(System.getenv().getOrDefault("BENCH_CLUSTER_SIM_JVM_OPTS", "-Xmx2g").trim().split("\\s+"));
        String nats = System.getenv().getOrDefault("GURURMM_BENCH_NATS_URL", "nats://127.0.0.1:4222");
        List<ServerProcess> nodes = new java.util.ArrayList<>();
        List<RemoteSimulator> sims = new java.util.ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                nodes.add(startClusterNode(url, jvm, nats, "bench-" + "abc".charAt(i), nodes));
            }
            GuruClient onB = new GuruClient(nodes.get(1).url());
            onB.login(ServerProcess.ADMIN_EMAIL, ServerProcess.ADMIN_PASSWORD);
            GuruClient onC = new GuruClient(nodes.get(2).url());
            onC.login(ServerProcess.ADMIN_EMAIL, ServerProcess.ADMIN_PASSWORD);
            String token = onB.createEnrollmentToken(new CreateRequest(null, 24, null)).token();
            int per = n / 3;
            int total = per * 3;
            Path benchJar = root.resolve("bench/target/gururmm-bench.jar");
            long tc0 = System.nanoTime();
            // One simulator after the other: enrolling all three at once only queues on the database pool.
            for (int i = 0; i < 3; i++) {
                Path log = nodes.get(i).dataDir().resolve("simulator.log");
                int firstAddress = 1 + i * 10; // 127.0.0.1, .11, .21: each simulator its own source ports
                sims.add(new RemoteSimulator(benchJar, simJvm, nodes.get(i).url(), per, token, CONNECT_IN_FLIGHT / 3, firstAddress, log));
            }
            double connectS = (System.nanoTime() - tc0) / 1e9;
            r.add("agents enrolled and connected (" + per + " per node, three simulator processes)",
                    online(sims) + " of " + total + String.format(" in %.1f s", connectS));
            long listedOnline = awaitListedOnline(onC, total, Duration.ofMinutes(3));
            r.add("online in GET /api/agents on node C (cluster-wide presence)", Long.toString(listedOnline));
            r.add("server RSS after connect, nodes A / B / C", Report.mib(nodes.get(0).rssBytes()) + " / " + Report.mib(nodes.get(1).rssBytes())
                    + " / " + Report.mib(nodes.get(2).rssBytes()));

            BatchTiming first = fanOut(onB, onC, sims, total);
            r.add("fan-out submitted on B" + batches(total) + ", every result stored (waited on C)", Report.ms(first.ms()) + (first.done() ? "" : " (not done)"));
            r.add("fan-out: results completed / acknowledged by agents", first.completed() + " / " + first.acked());
            r.add("fan-out per-agent submit → result stored, p50 / p99", Report.ms(first.perAgent().percentileMillis(50)) + " / "
                    + Report.ms(first.perAgent().percentileMillis(99)));

            // Node A dies. What fits goes to B and C; the rest to a replacement node.
            int cap = Integer.parseInt(System.getenv().getOrDefault("BENCH_CLUSTER_NODE_CAP", Integer.toString(openFileLimit() - 1000)));
            int roomB = Math.max(0, Math.min(per / 2, cap - per));
            int roomC = Math.max(0, Math.min(per - roomB, cap - per));
            int rest = per - roomB - roomC;
            long tk = System.nanoTime();
            nodes.get(0).kill();
            java.util.Map<URI, Integer> split = new java.util.LinkedHashMap<>();
            split.put(nodes.get(1).url(), roomB);
            split.put(nodes.get(2).url(), roomC);
            ServerProcess replacement = null;
            if (rest > 0) {
                // Point the agents at the replacement before it listens: they retry with backoff, as through a balancer.
                replacement = new ServerProcess(root.resolve("server/target/gururmm-server.jar"), url, jvm);
                split.put(replacement.url(), rest);
            }
            sims.get(0).retarget(split);
            if (replacement != null) {
                configureClusterNode(replacement, nats, "bench-a2", nodes);
                replacement.start();
                nodes.add(replacement);
            }
            long deadline = System.nanoTime() + Duration.ofMinutes(10).toNanos();
            while (online(sims) < total && System.nanoTime() < deadline) {
                Thread.sleep(200);
            }
            double backS = (System.nanoTime() - tk) / 1e9;
            int back = online(sims);
            r.add("reconnect storm: node A killed, its " + per + " agents back (" + roomB + " on B, " + roomC + " on C"
                    + (rest > 0 ? ", " + rest + " on a replacement node" : "") + ")", back + " of " + total + String.format(" after %.1f s", backS));
            long listedAfter = awaitListedOnline(onC, total, Duration.ofMinutes(3));
            r.add("online in GET /api/agents on node C after the storm", Long.toString(listedAfter));
            BatchTiming second = fanOut(onC, onB, sims, total);
            r.add("second fan-out (submitted on C" + batches(total) + ", waited on B), every result stored", Report.ms(second.ms()) + ", " + second.completed()
                    + " completed" + (second.done() ? "" : " (not done)"));
            r.note("Three server processes (`" + String.join(" ", jvm) + "` each), PostgreSQL and NATS on this one machine with three "
                    + "simulator processes (`" + String.join(" ", simJvm) + "` each, " + per + " agents each: one process may hold only "
                    + openFileLimit() + " open files here). The simulators play a least-connections balancer capped at " + cap
                    + " connections per node: after the kill, what fits goes to B and C, the rest to a replacement node started at once.");
        } finally {
            for (RemoteSimulator sim : sims) {
                sim.close();
            }
            for (ServerProcess node : nodes) {
                node.close();
            }
            try (Connection c = DriverManager.getConnection(PG_ADMIN_URL); Statement st = c.createStatement()) {
                st.execute("DROP DATABASE IF EXISTS " + pgName + " WITH (FORCE)");
            }
        }
        return r;
    }

    private ServerProcess startClusterNode(String url, List<String> jvm, String nats, String name, List<ServerProcess> earlier) throws Exception {
        ServerProcess node = new ServerProcess(root.resolve("server/target/gururmm-server.jar"), url, jvm);
        configureClusterNode(node, nats, name, earlier);
        node.start();
        return node;
    }

    private static void configureClusterNode(ServerProcess node, String nats, String name, List<ServerProcess> earlier) {
        node.env.put("NATS_URL", nats);
        node.env.put("GURURMM_NODE_NAME", name);
        node.env.put("GURURMM_CLUSTER_LEASE_SECONDS", "5");
        if (!earlier.isEmpty()) {
            // One system: every node signs and checks sessions with the first node's key.
            node.env.put("GURURMM_JWT_KEY_FILE", earlier.get(0).dataDir().resolve("jwt-signing.key").toString());
        }
    }

    private static int online(List<RemoteSimulator> sims) throws java.io.IOException {
        int online = 0;
        for (RemoteSimulator sim : sims) {
            online += sim.online();
        }
        return online;
    }

    /** This process's open-file limit (the simulators and server nodes inherit it). */
    private static int openFileLimit() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/limits"))) {
                if (line.startsWith("Max open files")) {
                    return Integer.parseInt(line.substring(26).trim().split("\\s+")[0]);
                }
            }
        } catch (java.io.IOException | NumberFormatException e) {
            // fall through
        }
        return 20_000;
    }

    private record BatchTiming(double ms, boolean done, int completed, int acked, Stats perAgent) {
    }

    private static String batches(int total) {
        int n = (total + AGENTS_PER_BATCH - 1) / AGENTS_PER_BATCH;
        return n > 1 ? " as " + n + " batches" : "";
    }

    /** The server takes at most this many agents per batch request (BatchService.MAX_AGENTS). */
    private static final int AGENTS_PER_BATCH = 50_000;

    /**
     * One command to every agent; more agents than one batch may hold are split into equal
     * batches by agent id, submitted back to back, as an operator's script would.
     */
    private static BatchTiming fanOut(GuruClient submitOn, GuruClient waitOn, List<RemoteSimulator> sims, int total) throws Exception {
        for (RemoteSimulator sim : sims) {
            sim.clearAcks();
        }
        List<List<UUID>> groups = new java.util.ArrayList<>();
        if (total > AGENTS_PER_BATCH) {
            List<UUID> ids = submitOn.agents().stream().map(AgentSummary::id).sorted().toList();
            int parts = (ids.size() + AGENTS_PER_BATCH - 1) / AGENTS_PER_BATCH;
            int size = (ids.size() + parts - 1) / parts;
            for (int i = 0; i < ids.size(); i += size) {
                groups.add(ids.subList(i, Math.min(ids.size(), i + size)));
            }
        } else {
            groups.add(null);
        }
        long t0 = System.nanoTime();
        List<UUID> batchIds = new java.util.ArrayList<>();
        for (List<UUID> group : groups) {
            AgentFilter filter = group == null ? new AgentFilter(null, null, null, null) : null;
            batchIds.add(submitOn.runBatch(new BatchRequest(group, filter, "sh", "echo hi", null, 120)).batchId());
        }
        boolean done = false;
        while (!done && System.nanoTime() - t0 < 600_000_000_000L) {
            Thread.sleep(50);
            done = true;
            for (UUID id : batchIds) {
                done &= waitOn.batch(id, false).done();
            }
        }
        double ms = (System.nanoTime() - t0) / 1e6;
        java.util.Map<UUID, Long> acks = new java.util.HashMap<>();
        for (RemoteSimulator sim : sims) {
            acks.putAll(sim.acks());
        }
        Stats perAgent = new Stats();
        int completed = 0;
        for (UUID id : batchIds) {
            BatchView full = waitOn.batch(id, true);
            completed += full.counts().getOrDefault("completed", 0);
            full.results().forEach(res -> {
                Long at = acks.get(res.commandId());
                if (at != null) {
                    perAgent.add(at - t0);
                }
            });
        }
        return new BatchTiming(ms, done, completed, perAgent.count(), perAgent);
    }

    private static long awaitListedOnline(GuruClient client, int total, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        long online = 0;
        while (System.nanoTime() < deadline) {
            online = client.agents().stream().filter(a -> a.status().equals("online")).count();
            if (online >= total) {
                break;
            }
            Thread.sleep(500);
        }
        return online;
    }
}
