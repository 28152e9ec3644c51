package com.gururmm.bench;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The server under test as its own process ({@code java -jar server/target/gururmm-server.jar}),
 * so its heap, RSS and CPU are its own and not mixed with the simulator's. Measurements come
 * from {@code /proc/<pid>} and {@code jcmd}.
 */
final class ServerProcess implements AutoCloseable {
    static final String ADMIN_EMAIL = "bench@gururmm.test";
    static final String ADMIN_PASSWORD = "bench-password-not-secret";
    private static final long CLOCK_TICKS = 100; // USER_HZ on Linux

    private final Path jar;
    private final Path dataDir;
    private final String databaseUrl;
    private final List<String> jvmArgs;
    private final int port;
    private Process process;
    /** Extra environment (the cluster scenario: NATS_URL, GURURMM_NODE_NAME, the shared signing key). */
    final java.util.Map<String, String> env = new java.util.HashMap<>();

    ServerProcess(Path jar, String databaseUrl, List<String> jvmArgs) throws IOException {
        this.jar = jar;
        this.dataDir = Files.createTempDirectory("gururmm-bench-server-");
        this.databaseUrl = databaseUrl;
        this.jvmArgs = jvmArgs;
        try (ServerSocket s = new ServerSocket(0)) {
            this.port = s.getLocalPort();
        }
    }

    /** Starts the server and waits until {@code /healthz} answers; returns the start-up time. */
    Duration start() throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(javaBin("java"));
        cmd.addAll(jvmArgs);
        cmd.add("-jar");
        cmd.add(jar.toString());
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dataDir.resolve("server.log").toFile()));
        pb.environment().put("GURURMM_HTTP_HOST", "127.0.0.1");
        pb.environment().put("GURURMM_HTTP_PORT", Integer.toString(port));
        pb.environment().put("GURURMM_DATA_DIR", dataDir.toString());
        pb.environment().put("GURURMM_LOCAL_AGENT", "off");
        pb.environment().put("GURURMM_ADMIN_EMAIL", ADMIN_EMAIL);
        pb.environment().put("GURURMM_ADMIN_PASSWORD", ADMIN_PASSWORD);
        if (databaseUrl != null) {
            pb.environment().put("DATABASE_URL", databaseUrl);
        }
        pb.environment().putAll(env);
        long t0 = System.nanoTime();
        process = pb.start();
        awaitHealthy(Duration.ofSeconds(120));
        return Duration.ofNanos(System.nanoTime() - t0);
    }

    private void awaitHealthy(Duration timeout) throws InterruptedException, IOException {
        HttpClient http = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IOException("server exited with " + process.exitValue() + "; see " + dataDir.resolve("server.log"));
            }
            try {
                HttpResponse<Void> r = http.send(HttpRequest.newBuilder(url().resolve("/healthz")).timeout(Duration.ofSeconds(2)).build(),
                        HttpResponse.BodyHandlers.discarding());
                if (r.statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(10);
        }
        throw new IOException("server did not become healthy within " + timeout.toSeconds() + " s; see " + dataDir.resolve("server.log"));
    }

    /** SIGTERM and wait: the server's shutdown hook closes every agent connection, as a service stop does. */
    void stop() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroy();
            if (!process.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
        }
    }

    /** SIGKILL and wait: a node dying (no shutdown hook, its agents' connections just drop). */
    void kill() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroyForcibly().waitFor();
        }
    }

    Path dataDir() {
        return dataDir;
    }

    URI url() {
        return URI.create("http://127.0.0.1:" + port);
    }

    long pid() {
        return process.pid();
    }

    Path log() {
        return dataDir.resolve("server.log");
    }

    /** Resident set size in bytes. */
    long rssBytes() throws IOException {
        return rssBytes(pid());
    }

    /** Resident set size of any process, in bytes (Linux). */
    static long rssBytes(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
            }
        }
        throw new IOException("no VmRSS for " + pid);
    }

    /** User + system CPU time used so far, in milliseconds. */
    long cpuMillis() throws IOException {
        String stat = Files.readString(Path.of("/proc/" + pid() + "/stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return (Long.parseLong(f[11]) + Long.parseLong(f[12])) * 1000 / CLOCK_TICKS;
    }

    /** Heap in use right after a full GC: what the live data needs, without garbage. */
    long heapUsedAfterGcBytes() throws IOException, InterruptedException {
        jcmd("GC.run");
        String info = jcmd("GC.heap_info");
        Matcher m = Pattern.compile("used (\\d+)K").matcher(info);
        if (!m.find()) {
            throw new IOException("cannot read heap usage from jcmd output: " + info);
        }
        return Long.parseLong(m.group(1)) * 1024;
    }

    String jcmd(String... command) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(javaBin("jcmd"), Long.toString(pid())));
        cmd.addAll(List.of(command));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        p.waitFor();
        return out;
    }

    static String javaBin(String tool) {
        return Path.of(System.getProperty("java.home"), "bin", tool).toString();
    }

    @Override
    public void close() throws InterruptedException {
        stop();
    }
}
