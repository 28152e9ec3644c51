package com.gururmm.server.localagent;

import com.gururmm.server.config.DataDirectory;
import com.gururmm.server.config.ServerConfig;
import com.gururmm.server.enrollment.EnrollmentTokenService;
import java.io.File;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the server host's own agent (SPEC section 1) as a supervised child process, so one
 * command gives an operator a working fleet of one. The agent is the ordinary agent jar with
 * its state in {@code <data dir>/local-agent}; on its first start the server hands it a
 * single-use enrollment token. If it exits, it is restarted with a capped back-off.
 *
 * <p>It is started the way agents are installed, {@code java -jar gururmm-agent.jar launcher},
 * with this server's release public key in {@code GURURMM_RELEASE_PUBLIC_KEY}, so the host's
 * agent takes signed updates and rolls back like any other (docs/RELEASES.md). That makes two
 * processes (launcher, and the agent version it runs); {@link #stop} ends both.
 *
 * <p>In production the host's agent is normally installed as its own service (systemd); set
 * {@code GURURMM_LOCAL_AGENT=off} then. The agent holds a lock on its state dir, so a
 * service-installed agent and this child can never both run on one state dir.
 */
public final class LocalAgentLauncher {
    private static final Logger log = LoggerFactory.getLogger(LocalAgentLauncher.class);

    /** The agent's enrollment token file in its state dir (the agent's EnrollmentToken.HANDOVER). */
    static final String TOKEN_FILE = "enrollment-token";

    /** Settings an operator may give the host's agent through the server's environment. */
    private static final java.util.Set<String> AGENT_SETTINGS = java.util.Set.of("GURURMM_CHANNEL", "GURURMM_AGENT_JAVA_OPTS", "GURURMM_LOG_LEVEL");

    /**
     * The rest of what the host's agent inherits (upper-cased; Windows names are case-insensitive):
     * where programs and the JDK are, who and where it runs, locale and time zone, temp dirs, and
     * the Windows basics a JVM and its child processes cannot start without.
     */
    private static final java.util.Set<String> INHERITED = java.util.Set.of(
            "PATH", "HOME", "USER", "LOGNAME", "SHELL", "LANG", "LANGUAGE", "TZ", "TMPDIR", "TEMP", "TMP", "JAVA_HOME",
            "SYSTEMROOT", "WINDIR", "COMSPEC", "PATHEXT", "SYSTEMDRIVE", "PROGRAMDATA", "PROGRAMFILES", "PROGRAMFILES(X86)",
            "USERPROFILE", "APPDATA", "LOCALAPPDATA", "USERNAME", "COMPUTERNAME", "NUMBER_OF_PROCESSORS", "PROCESSOR_ARCHITECTURE");

    private final ServerConfig config;
    private final int port;
    private volatile String serverFingerprint;
    private final EnrollmentTokenService tokens;
    private final String releasePublicKey;
    private volatile boolean stopping;
    private volatile Process process;
    private Thread supervisor;

    /** @param releasePublicKey base64 X.509 Ed25519 key the agent checks update signatures with */
    /** The server speaks HTTPS with this certificate (SHA-256 fingerprint): the local agent connects with https:// and pins it. */
    public void useTls(String fingerprint) {
        this.serverFingerprint = fingerprint;
    }

    public LocalAgentLauncher(ServerConfig config, int port, EnrollmentTokenService tokens, String releasePublicKey) {
        this.config = config;
        this.port = port;
        this.tokens = tokens;
        this.releasePublicKey = releasePublicKey;
    }

    public void start() {
        if (config.localAgent().equals("off")) {
            log.info("local agent: off (GURURMM_LOCAL_AGENT=off)");
            return;
        }
        Optional<Path> jar = findAgentJar();
        if (jar.isEmpty()) {
            log.warn("local agent: not started, no agent jar found; build it (./mvnw -B package -DskipTests) or set GURURMM_LOCAL_AGENT_JAR");
            return;
        }
        supervisor = Thread.ofVirtual().name("local-agent-supervisor").start(() -> supervise(jar.get()));
    }

    private void supervise(Path jar) {
        Duration backoff = Duration.ofSeconds(1);
        while (!stopping) {
            try {
                long startedAt = System.nanoTime();
                process = launch(jar);
                log.info("local agent started (pid {}) from {}", process.pid(), jar);
                int exit = process.waitFor();
                if (stopping) {
                    return;
                }
                if (System.nanoTime() - startedAt > TimeUnit.MINUTES.toNanos(1)) {
                    backoff = Duration.ofSeconds(1);
                }
                log.warn("local agent exited with code {}; restarting in {} s (log: {})", exit, backoff.toSeconds(), logFile());
                Thread.sleep(backoff);
                backoff = backoff.multipliedBy(2).compareTo(Duration.ofMinutes(1)) > 0 ? Duration.ofMinutes(1) : backoff.multipliedBy(2);
            } catch (InterruptedException e) {
                return;
            } catch (IOException | RuntimeException e) {
                log.error("local agent could not be started: {}", e.toString());
                return;
            }
        }
    }

    private Process launch(Path jar) throws IOException {
        Path stateDir = config.dataDir().resolve("local-agent");
        Files.createDirectories(stateDir);
        DataDirectory.makeDirectoryPrivate(stateDir); // the agent narrows its own files; the dir is the server's
        DataDirectory.createPrivateFile(logFile());
        String java = ProcessHandle.current().info().command().orElse("java");
        // The launcher JVM only copies files and watches a child; the agent version it runs gets
        // the same small heap through GURURMM_AGENT_JAVA_OPTS.
        List<String> command = new ArrayList<>(List.of(java, "-Xmx32m", "-XX:+UseSerialGC", "-jar", jar.toString(), "launcher"));
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile().toFile()));
        // The server's own secrets (database and admin credentials, and whatever else its service
        // manager put in its environment: PGPASSWORD, cloud keys) stay with the server. The agent and
        // every command it runs start from an allow-list of the basics a process needs, not from
        // the server's environment minus a deny-list that a new secret's name would slip past.
        builder.environment().keySet().removeIf(name -> !inherited(name));
        builder.environment().put("GURURMM_SERVER_URL", (serverFingerprint == null ? "http" : "https") + "://127.0.0.1:" + port);
        if (serverFingerprint != null) {
            // Our own certificate, whatever signed it: the local agent pins it instead of trusting by name.
            builder.environment().put("GURURMM_SERVER_FINGERPRINT", serverFingerprint);
        }
        builder.environment().put("GURURMM_STATE_DIR", stateDir.toString());
        builder.environment().putIfAbsent("GURURMM_CHANNEL", "stable");
        builder.environment().putIfAbsent("GURURMM_AGENT_JAVA_OPTS", "-Xmx64m -XX:+UseSerialGC");
        // Always this server's key: a stale key in the inherited environment would refuse every update.
        builder.environment().put("GURURMM_RELEASE_PUBLIC_KEY", releasePublicKey);
        // The single-use token goes to the agent as a 0600 file in its state dir, which the agent
        // deletes once enrolled: in an environment variable it would stay readable in
        // /proc/<pid>/environ of the launcher and the agent for as long as they run.
        builder.environment().remove("GURURMM_ENROLLMENT_TOKEN");
        builder.environment().remove("GURURMM_ENROLLMENT_TOKEN_FILE");
        if (!Files.exists(stateDir.resolve("credentials.json"))) {
            // A server-host token: the agent enrolling with it is marked as this host, admin-only.
            var token = tokens.createServerHostToken(Duration.ofHours(1));
            writePrivately(stateDir.resolve(TOKEN_FILE), token.token() + "\n");
        }
        return builder.start();
    }

    /** Variables of the server's own environment the host's agent keeps; everything else is dropped. */
    static boolean inherited(String name) {
        String upper = name.toUpperCase(java.util.Locale.ROOT);
        return AGENT_SETTINGS.contains(name) || INHERITED.contains(upper) || upper.startsWith("LC_");
    }

    /** Creates (or replaces) {@code file} with mode 0600 from the start, so the token is never readable by others. */
    private static void writePrivately(Path file, String content) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.deleteIfExists(tmp);
        DataDirectory.createPrivateFile(tmp);
        Files.writeString(tmp, content, StandardCharsets.UTF_8);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private Path logFile() {
        return config.dataDir().resolve("local-agent.log");
    }

    /**
     * Stops the launcher (its shutdown hook stops the agent it runs) and then anything of its that
     * is still alive: if the launcher had to be killed, its hook never ran, and the agent would
     * otherwise linger until it noticed on its own that the launcher is gone.
     */
    public void stop() {
        stopping = true;
        Process p = process;
        if (p != null && p.isAlive()) {
            List<ProcessHandle> children = p.descendants().toList();
            end(p.toHandle(), Duration.ofSeconds(10));
            children.forEach(child -> end(child, Duration.ofSeconds(5)));
        }
        if (supervisor != null) {
            supervisor.interrupt();
        }
    }

    private static void end(ProcessHandle process, Duration grace) {
        if (!process.isAlive()) {
            return;
        }
        process.destroy();
        try {
            process.onExit().get(grace.toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException | java.util.concurrent.ExecutionException e) {
            process.destroyForcibly();
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    private Optional<Path> findAgentJar() {
        if (!config.localAgentJar().isEmpty()) {
            Path configured = Path.of(config.localAgentJar());
            if (Files.isRegularFile(configured)) {
                return Optional.of(configured);
            }
            log.warn("local agent: GURURMM_LOCAL_AGENT_JAR={} does not exist", configured);
            return Optional.empty();
        }
        try {
            Path self = Path.of(LocalAgentLauncher.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            Path dir = Files.isDirectory(self) ? self : self.getParent();
            // Beside the server jar (an install), or in the source tree (server/target -> agent/target).
            for (Path candidate : List.of(
                    dir.resolve("gururmm-agent.jar"),
                    dir.resolve(".." + File.separator + ".." + File.separator + "agent" + File.separator + "target" + File.separator + "gururmm-agent.jar"),
                    config.downloadsDir().resolve("gururmm-agent.jar"))) {
                if (Files.isRegularFile(candidate)) {
                    return Optional.of(candidate.toAbsolutePath().normalize());
                }
            }
        } catch (URISyntaxException | SecurityException e) {
            log.debug("cannot locate the server jar: {}", e.toString());
        }
        return Optional.empty();
    }
}
