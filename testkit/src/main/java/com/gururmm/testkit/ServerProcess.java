package com.gururmm.testkit;

import com.gururmm.client.GuruClient;
import com.gururmm.protocol.api.EnrollmentTokens.CreateRequest;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * The packaged server ({@code java -jar server/target/gururmm-server.jar}) as its own OS
 * process, so a test can kill it with SIGKILL (no shutdown hook, no final flush) and start it
 * again on the same data dir and port, as a crash and a service restart would.
 * {@code GURURMM_TEST_SERVER_JAR} runs another build (e.g. an old one, to show a test fails there).
 */
public final class ServerProcess implements AutoCloseable {
    public static final String ADMIN_EMAIL = TestServer.ADMIN_EMAIL;
    public static final String ADMIN_PASSWORD = TestServer.ADMIN_PASSWORD;

    private final Path jar;
    private final Path dataDir;
    private final Path logFile;
    private final Map<String, String> env = new HashMap<>();
    private final int port;
    private Process process;

    private ServerProcess(Path jar, Path dataDir, Map<String, String> extraEnv) throws IOException {
        this.jar = jar;
        this.dataDir = dataDir;
        this.logFile = Files.createTempFile("gururmm-server-process-", ".log");
        try (ServerSocket s = new ServerSocket(0)) {
            this.port = s.getLocalPort();
        }
        env.put("GURURMM_HTTP_HOST", "127.0.0.1");
        env.put("GURURMM_HTTP_PORT", Integer.toString(port));
        env.put("GURURMM_DATA_DIR", dataDir.toString());
        env.put("GURURMM_ADMIN_EMAIL", ADMIN_EMAIL);
        env.put("GURURMM_ADMIN_PASSWORD", ADMIN_PASSWORD);
        env.put("GURURMM_HEARTBEAT_SECONDS", "1");
        env.put("GURURMM_LOCAL_AGENT", "off");
        env.putAll(extraEnv);
    }

    /**
     * A server on {@code dataDir} (created by the server if missing). Without {@code DATABASE_URL}
     * in {@code extraEnv} it runs on its zero-setup default, the embedded H2 file in the data dir.
     */
    public static ServerProcess create(Path dataDir, Map<String, String> extraEnv) {
        try {
            return new ServerProcess(packagedJar(), dataDir, extraEnv);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The packaged jar; missing it skips the test, except under CI, where it is a failure. */
    public static Path packagedJar() {
        String override = System.getenv("GURURMM_TEST_SERVER_JAR");
        Path jar = override != null && !override.isBlank() ? Path.of(override)
                : Path.of("..", "server", "target", "gururmm-server.jar").toAbsolutePath().normalize();
        if (!Files.isRegularFile(jar) && "true".equalsIgnoreCase(System.getenv("CI"))) {
            throw new IllegalStateException("CI runs ./mvnw verify, which packages " + jar + " before this test");
        }
        Assumptions.assumeTrue(Files.isRegularFile(jar), "needs the packaged server jar (./mvnw verify packages it first)");
        return jar;
    }

    /** What one of the server's own commands printed, and its exit code. */
    public record CommandResult(int exitCode, String output) {
    }

    /** Runs {@code java -jar gururmm-server.jar ARGS} (backup, restore) with {@code env} as its whole GURURMM_/DATABASE_ environment. */
    public static CommandResult command(Map<String, String> env, Duration timeout, String... args) throws IOException, InterruptedException {
        String javaBin = ProcessHandle.current().info().command().orElse("java");
        List<String> command = new java.util.ArrayList<>(List.of(javaBin, "-Xmx256m", "-XX:TieredStopAtLevel=1", "-jar", packagedJar().toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().keySet().removeIf(k -> k.startsWith("GURURMM_") || k.startsWith("DATABASE_"));
        builder.environment().putAll(env);
        Process process = builder.start();
        java.util.concurrent.CompletableFuture<byte[]> output = Background.supply("server-command-output", () -> {
            try {
                return process.getInputStream().readAllBytes();
            } catch (IOException e) {
                return new byte[0];
            }
        });
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            throw new IllegalStateException("gururmm-server " + String.join(" ", args) + " did not exit within " + timeout);
        }
        return new CommandResult(process.exitValue(), new String(output.join(), java.nio.charset.StandardCharsets.UTF_8));
    }

    /** Starts the server and waits until {@code /healthz} answers 200. */
    public ServerProcess start() {
        String java = ProcessHandle.current().info().command().orElse("java");
        ProcessBuilder builder = new ProcessBuilder(List.of(java, "-Xmx256m", "-XX:TieredStopAtLevel=1", "-jar", jar.toString()))
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
        builder.environment().keySet().removeIf(k -> k.startsWith("GURURMM_") || k.startsWith("DATABASE_"));
        builder.environment().putAll(env);
        try {
            long logOffset = Files.size(logFile);
            process = builder.start();
            awaitStarted(logOffset, Duration.ofSeconds(90));
        } catch (IOException e) {
            // A server that came up too late must not outlive the test (it would keep its port and database connections).
            destroyQuietly();
            throw new IllegalStateException("server process did not start; log: " + logFile + "\n" + log(), e);
        } catch (InterruptedException e) {
            destroyQuietly();
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        return this;
    }

    private void destroyQuietly() {
        if (process != null && process.isAlive()) {
            try {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Runs the server to its end and returns its exit code and output (for a start that must fail). */
    public int runToExit(Duration timeout) throws IOException, InterruptedException {
        String java = ProcessHandle.current().info().command().orElse("java");
        ProcessBuilder builder = new ProcessBuilder(List.of(java, "-Xmx256m", "-XX:TieredStopAtLevel=1", "-jar", jar.toString()))
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
        builder.environment().keySet().removeIf(k -> k.startsWith("GURURMM_") || k.startsWith("DATABASE_"));
        builder.environment().putAll(env);
        process = builder.start();
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            throw new IllegalStateException("server did not exit within " + timeout + "; log:\n" + log());
        }
        return process.exitValue();
    }

    /**
     * Waits for the banner the server prints once it is fully up (after {@code /healthz} starts
     * answering, the first admin is created): logging in any earlier can race the admin's creation.
     */
    private void awaitStarted(long logOffset, Duration timeout) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IOException("server exited with " + process.exitValue());
            }
            String log = Files.readString(logFile);
            if (log.length() > logOffset && log.substring((int) logOffset).contains("GuruRMM server is running")) {
                awaitHealthy(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
                return;
            }
            Thread.sleep(20);
        }
        throw new IOException("server did not print its banner within " + timeout.toSeconds() + " s");
    }

    private void awaitHealthy(Duration timeout) throws IOException, InterruptedException {
        HttpClient http = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IOException("server exited with " + process.exitValue());
            }
            try {
                HttpClient client = tls() ? HttpClient.newBuilder()
                        .sslContext(com.gururmm.protocol.tls.CertificatePins.context(fingerprint(), m -> { })).build() : http;
                HttpResponse<Void> r = client.send(HttpRequest.newBuilder(url().resolve("/healthz")).timeout(Duration.ofSeconds(2)).build(),
                        HttpResponse.BodyHandlers.discarding());
                if (r.statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(20);
        }
        throw new IOException("server did not become healthy within " + timeout.toSeconds() + " s");
    }

    /** SIGKILL, and wait until the process is gone: no shutdown hook, no flush, like a crash or the OOM killer. */
    public void kill() {
        if (process != null && process.isAlive()) {
            process.destroyForcibly();
            waitGone();
        }
    }

    /** SIGTERM, as a service manager stops it. */
    public void stop() {
        if (process != null && process.isAlive()) {
            process.destroy();
            waitGone();
        }
    }

    private void waitGone() {
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** {@code https://} when started with GURURMM_TLS_SELF_SIGNED=true or a TLS certificate. */
    public URI url() {
        return URI.create((tls() ? "https" : "http") + "://127.0.0.1:" + port);
    }

    private boolean tls() {
        return "true".equals(env.get("GURURMM_TLS_SELF_SIGNED")) || env.containsKey("GURURMM_TLS_CERT_FILE");
    }

    /** The TLS certificate's SHA-256 fingerprint as the start banner printed it; null over plain HTTP. */
    public String fingerprint() {
        if (!tls()) {
            return null;
        }
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("TLS: +SHA-256 fingerprint ([0-9A-F:]{95})").matcher(log());
        String last = null;
        while (m.find()) {
            last = m.group(1);
        }
        return last;
    }

    public Path dataDir() {
        return dataDir;
    }

    public GuruClient adminClient() {
        return adminClientWith(ADMIN_PASSWORD);
    }

    /** The first admin, for a server started with a generated password ({@code GURURMM_ADMIN_PASSWORD} empty). */
    public GuruClient adminClientWith(String password) {
        GuruClient client = new GuruClient(url(), null, fingerprint());
        client.login(ADMIN_EMAIL, password);
        return client;
    }

    /** A fresh enrollment token (unlimited uses, 1 h). */
    public String enrollmentToken() {
        return adminClient().createEnrollmentToken(new CreateRequest(null, 1, null)).token();
    }

    public String log() {
        try {
            return Files.readString(logFile);
        } catch (IOException e) {
            return "(cannot read " + logFile + ")";
        }
    }

    @Override
    public void close() {
        stop();
    }
}
