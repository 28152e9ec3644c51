package com.gururmm.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code bench/run.sh <scenario> [N] [--db h2|postgres] [--no-doc] [--seconds S]}: runs one
 * scenario against a freshly started server process and appends its table to
 * {@code docs/BENCHMARKS.md}. Scenarios: connect, idle, roundtrip, fanout, reconnect, list,
 * firstcommand, agent, meshcentral (see {@link #usage}).
 */
public final class BenchMain {
    private BenchMain() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length == 0) {
            usage();
            return;
        }
        String scenario = args[0].toLowerCase(Locale.ROOT);
        int n = 10_000;
        String db = "h2";
        boolean doc = true;
        int seconds = 300;
        List<String> rest = new ArrayList<>(List.of(args).subList(1, args.length));
        for (int i = 0; i < rest.size(); i++) {
            String a = rest.get(i);
            switch (a) {
                case "--db" -> db = rest.get(++i);
                case "--no-doc" -> doc = false;
                case "--seconds" -> seconds = Integer.parseInt(rest.get(++i));
                default -> n = Integer.parseInt(a.replace("_", "").replace(",", ""));
            }
        }
        Path root = findRoot();
        Path docFile = doc ? root.resolve("docs/BENCHMARKS.md") : null;
        Scenarios scenarios = new Scenarios(root, db, String.join(" ", List.of(args)));
        Report report = switch (scenario) {
            case "connect" -> scenarios.connect(n);
            case "idle" -> scenarios.idle(n, seconds);
            case "roundtrip" -> scenarios.roundTrip(n == 10_000 ? 1000 : n);
            case "fanout" -> scenarios.fanOut(n);
            case "reconnect" -> scenarios.reconnect(n);
            case "list" -> scenarios.list(n);
            case "firstcommand" -> scenarios.firstCommand(n == 10_000 ? 5 : n);
            case "agent" -> scenarios.realAgent(n == 10_000 ? 1000 : n);
            case "meshcentral" -> scenarios.sideBySide(n == 10_000 ? 1000 : n);
            case "metrics" -> scenarios.metrics(n);
            case "cluster" -> scenarios.cluster(n);
            default -> {
                usage();
                yield null;
            }
        };
        if (report != null) {
            report.publish(docFile);
        }
        System.exit(0);
    }

    private static void usage() {
        System.out.println("""
                usage: bench/run.sh <scenario> [N] [--db h2|postgres] [--seconds S] [--no-doc]
                  connect N       N agents enroll and connect: time, server heap/RSS per agent, CPU
                  idle N          N agents heartbeating for --seconds (default 300): server CPU %, DB writes/s
                  roundtrip [C]   C sequential commands (default 1000) to one agent: echo executor, real sh, spawn floor
                  fanout N        one command to N agents: time until every result is stored, p50/p99
                  reconnect N     restart the server under N agents: time until all are back, API latency/errors meanwhile
                  list N          GET /api/agents with N agents: p50/p99
                  metrics N       N agents at one sample a minute, then a burst: server CPU, DB rows/s; storage per agent per month
                  cluster N       three nodes (PostgreSQL + NATS), N/3 agents each: fan-out to all, then kill one node: reconnect storm
                  firstcommand [R] a freshly installed real agent process answers its first command: R runs (default 5)
                  agent [C]       C sequential commands (default 1000) through the real agent JVM, submit + ?wait, real bash;
                                  then idle RSS of agent and server
                  meshcentral [C] C commands each (default 1000), GuruRMM's real agent and MeshCentral 1.1.55's stock
                                  agent interleaved (npm install on first use; node on PATH; loopback only)
                N defaults to 10000. Figures are appended to docs/BENCHMARKS.md unless --no-doc.""");
    }

    private static Path findRoot() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.exists(dir.resolve("server/target/gururmm-server.jar"))) {
            dir = dir.getParent();
        }
        if (dir == null) {
            throw new IllegalStateException("run from the repository (server/target/gururmm-server.jar not found); build with ./mvnw -B package -DskipTests");
        }
        return dir;
    }
}
