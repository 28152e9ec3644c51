package com.gururmm.agent.doctor;

import com.gururmm.agent.AgentConfig;
import com.gururmm.agent.link.ServerTrust;
import com.gururmm.agent.platform.HostView;
import com.gururmm.agent.platform.Platform;
import com.gururmm.agent.state.Credentials;
import com.gururmm.agent.state.StateDir;
import com.gururmm.protocol.text.ControlChars;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import javax.net.ssl.SSLException;

/**
 * {@code gururmm-agent doctor}: checks what an agent needs, one line per check, each failure
 * with what to do about it; exit 0 when nothing failed, 1 otherwise. It reads the settings the
 * service would (the environment, else {@code /etc/gururmm/agent.env} as the systemd unit loads
 * it, else {@code agent.conf} in the state dir) and changes nothing: it does not enroll, does not
 * take the running agent's lock, and sends only read requests to the server.
 */
public final class Doctor {
    /** Clock skew past which tokens and certificates start failing in confusing ways. */
    static final Duration SKEW_WARN = Duration.ofSeconds(30);
    static final Duration SKEW_FAIL = Duration.ofMinutes(5);
    static final Path SERVICE_ENV_FILE = Path.of("/etc/gururmm/agent.env");

    enum Level { OK, WARN, FAIL }

    /** One finding: what was checked, what was seen, and (unless ok) what to do. */
    record Finding(Level level, String check, String seen, String fix) {
    }

    private final Map<String, String> environment;
    private final List<Finding> findings = new ArrayList<>();

    Doctor(Map<String, String> environment) {
        this.environment = environment;
    }

    /** Runs every check and prints the findings; returns the process exit code. */
    public static int run(Map<String, String> environment, PrintStream out) {
        Doctor doctor = new Doctor(withServiceEnvironment(environment, SERVICE_ENV_FILE));
        List<Finding> findings = doctor.diagnose();
        for (Finding f : findings) {
            out.printf("%-4s %-12s %s%n", f.level() == Level.OK ? "ok" : f.level().name(), f.check(), ControlChars.escape(f.seen()));
            if (f.fix() != null) {
                out.printf("     %-12s fix: %s%n", "", f.fix());
            }
        }
        long failed = findings.stream().filter(f -> f.level() == Level.FAIL).count();
        long warned = findings.stream().filter(f -> f.level() == Level.WARN).count();
        out.println(failed == 0 ? "gururmm-agent doctor: no problem found" + (warned == 0 ? "." : " (" + warned + " warning(s)).")
                : "gururmm-agent doctor: " + failed + " problem(s) found.");
        return failed == 0 ? 0 : 1;
    }

    /**
     * The environment the service runs with: the unit's {@code EnvironmentFile} fills in what the
     * caller's shell does not set (an operator running {@code doctor} by hand has none of it).
     */
    static Map<String, String> withServiceEnvironment(Map<String, String> environment, Path envFile) {
        Map<String, String> merged = new HashMap<>();
        if (Files.isReadable(envFile)) {
            try {
                for (String line : Files.readAllLines(envFile, StandardCharsets.UTF_8)) {
                    String t = line.trim();
                    int eq = t.indexOf('=');
                    if (t.startsWith("GURURMM_") && eq > 0) {
                        merged.put(t.substring(0, eq).trim(), unquote(t.substring(eq + 1).trim()));
                    }
                }
            } catch (IOException ignored) {
                // unreadable: the environment alone decides
            }
        }
        environment.forEach((k, v) -> {
            if (v != null && !v.isBlank()) {
                merged.put(k, v);
            }
        });
        return merged;
    }

    private static String unquote(String value) {
        if (value.length() >= 2 && (value.startsWith("\"") && value.endsWith("\"") || value.startsWith("'") && value.endsWith("'"))) {
            return value.substring(1, value.length() - 1);
        }
        return value;
    }

    List<Finding> diagnose() {
        AgentConfig config;
        try {
            config = AgentConfig.load(environment);
            ok("config", "server " + config.serverUrl() + ", state dir " + config.stateDir() + ", channel " + config.channel());
        } catch (IllegalArgumentException e) {
            fail("config", e.getMessage(), "set it in " + SERVICE_ENV_FILE + " (the service's settings) or the environment, then restart the service");
            return findings;
        }
        StateDir state = new StateDir(config.stateDir());
        checkStateDir(config.stateDir());
        checkRunning(config.stateDir());
        Optional<Credentials> credentials = checkCredentials(state, config);
        Optional<String> pin = checkPin(state, config);
        checkServer(config, pin, credentials);
        checkSandbox(config.stateDir());
        return findings;
    }

    private void checkStateDir(Path dir) {
        if (!Files.isDirectory(dir)) {
            fail("state dir", dir + " does not exist", "start the service once (systemd creates it from StateDirectory=gururmm), or create it: install -d -m 0700 " + dir);
            return;
        }
        try {
            Path probe = Files.createTempFile(dir, ".doctor-", ".probe");
            Files.delete(probe);
        } catch (IOException | SecurityException e) {
            fail("state dir", dir + " is not writable (" + e.getMessage() + ")",
                    "run doctor as the agent's user (root); under systemd keep StateDirectory=gururmm in the unit");
            return;
        }
        try {
            Set<PosixFilePermission> perms = Files.getPosixFilePermissions(dir);
            if (perms.stream().anyMatch(p -> p.name().startsWith("GROUP") || p.name().startsWith("OTHERS"))) {
                warn("state dir", dir + " is readable by other users (" + java.nio.file.attribute.PosixFilePermissions.toString(perms) + ")",
                        "chmod 0700 " + dir + " (it holds the agent's credential)");
                return;
            }
        } catch (UnsupportedOperationException | IOException ignored) {
            // not POSIX (Windows): ACLs are set by the agent itself
        }
        long free = dir.toFile().getUsableSpace();
        if (free < 64L * 1024 * 1024) {
            warn("state dir", dir + " has " + (free / (1024 * 1024)) + " MiB free", "free space: results, journal and updates are written there");
            return;
        }
        ok("state dir", dir + " writable, private, " + (free / (1024 * 1024)) + " MiB free");
    }

    /**
     * Whether an agent runs on this state dir: the pid it wrote into its lock file is alive. The
     * lock itself is not touched (taking it, even briefly, could make a starting agent give up).
     */
    private void checkRunning(Path dir) {
        if (!Files.exists(dir.resolve("agent.lock"))) {
            warn("running", "no agent has run on " + dir + " yet", "systemctl enable --now gururmm-agent");
            return;
        }
        runningPid(dir).ifPresentOrElse(pid -> ok("running", "an agent is running on this state dir (pid " + pid + ")"),
                () -> warn("running", "no agent is running on " + dir,
                        "systemctl start gururmm-agent; see journalctl -u gururmm-agent for why it stopped"));
    }

    private Optional<Credentials> checkCredentials(StateDir state, AgentConfig config) {
        Optional<Credentials> credentials = Credentials.load(state);
        if (credentials.isPresent()) {
            String enrolledWith = credentials.get().serverUrl();
            if (enrolledWith != null && !enrolledWith.equals(config.serverUrl().toString())) {
                warn("credentials", "agent " + credentials.get().agentId() + " was enrolled with " + enrolledWith + ", but GURURMM_SERVER_URL is " + config.serverUrl(),
                        "if the server moved, this is expected; otherwise fix GURURMM_SERVER_URL");
            } else {
                ok("credentials", "enrolled as agent " + credentials.get().agentId());
            }
            return credentials;
        }
        if (!state.problems().isEmpty()) {
            fail("credentials", String.join("; ", state.problems()), "remove the damaged credentials.json; the agent then enrolls again with an enrollment token");
        } else if (config.enrollmentToken() != null || (config.enrollmentTokenFile() != null && Files.isReadable(config.enrollmentTokenFile()))) {
            warn("credentials", "not enrolled yet; an enrollment token is configured, so the agent enrolls when it connects", null);
        } else {
            fail("credentials", "not enrolled and no enrollment token is configured",
                    "create a token on the server (gururmm enroll-token create), then: echo TOKEN > " + config.stateDir().resolve("enrollment-token")
                            + " && chmod 0600 it, or set GURURMM_ENROLLMENT_TOKEN_FILE");
        }
        return Optional.empty();
    }

    private Optional<String> checkPin(StateDir state, AgentConfig config) {
        if (!"https".equals(config.serverUrl().getScheme())) {
            return Optional.empty();
        }
        try {
            Optional<String> pin = config.serverFingerprint() != null ? Optional.of(config.serverFingerprint())
                    : state.read(state.resolve(ServerTrust.PIN_FILE)).map(String::trim).filter(t -> !t.isEmpty()).map(ServerTrust::normalizeFingerprint);
            ok("tls", pin.map(p -> "the server's certificate is pinned: SHA-256 " + p).orElse("the server's certificate is checked against the system trust store"));
            return pin;
        } catch (IllegalArgumentException e) {
            fail("tls", "the pinned fingerprint is unreadable: " + e.getMessage(),
                    "rewrite " + state.resolve(ServerTrust.PIN_FILE) + " with the fingerprint the server prints at start");
            return Optional.empty();
        }
    }

    private void checkServer(AgentConfig config, Optional<String> pin, Optional<Credentials> credentials) {
        HttpClient http;
        try {
            http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).sslContext(ServerTrust.context(pin)).build();
        } catch (RuntimeException e) {
            fail("tls", "cannot set up TLS: " + e.getMessage(), null);
            return;
        }
        URI health = config.serverUrl().resolve("/healthz");
        HttpResponse<String> response;
        Instant sent = Instant.now();
        try {
            response = http.send(HttpRequest.newBuilder(health).timeout(Duration.ofSeconds(15)).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (ConnectException e) {
            fail("server", "nothing answers at " + config.serverUrl() + " (connection refused)",
                    "check GURURMM_SERVER_URL, that the server runs, and firewalls between here and it");
            return;
        } catch (HttpTimeoutException e) {
            fail("server", config.serverUrl() + " did not answer within 15 s", "check the network path and the server's load");
            return;
        } catch (SSLException e) {
            fail("tls", "TLS with " + config.serverUrl() + " failed: " + e.getMessage(), pin.isPresent()
                    ? "the server's certificate no longer matches the pinned SHA-256; if it was replaced on purpose, put the new fingerprint in GURURMM_SERVER_FINGERPRINT"
                    : "the certificate is not trusted by this machine: install the CA, or pin the server's fingerprint with GURURMM_SERVER_FINGERPRINT");
            return;
        } catch (IOException e) {
            fail("server", config.serverUrl() + " is unreachable: " + e, "check GURURMM_SERVER_URL and the network");
            return;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        Instant received = Instant.now();
        if (response.statusCode() != 200) {
            fail("server", health + " answered HTTP " + response.statusCode(), "is GURURMM_SERVER_URL the GuruRMM server (not a proxy's error page)?");
            return;
        }
        ok("server", config.serverUrl() + " answers (" + Duration.between(sent, received).toMillis() + " ms)");
        checkClock(response, sent, received);
        credentials.ifPresent(c -> checkCredentialAccepted(http, config, c));
    }

    private void checkClock(HttpResponse<?> response, Instant sent, Instant received) {
        Optional<String> date = response.headers().firstValue("Date");
        if (date.isEmpty()) {
            warn("clock", "the server sent no Date header; skew not checked", null);
            return;
        }
        Instant serverTime;
        try {
            serverTime = ZonedDateTime.parse(date.get(), DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
        } catch (RuntimeException e) {
            warn("clock", "the server's Date header is unreadable: " + date.get(), null);
            return;
        }
        // The header has one-second resolution and was written somewhere between send and receive.
        Instant local = sent.plus(Duration.between(sent, received).dividedBy(2));
        Duration skew = Duration.between(serverTime, local).abs().minusMillis(1000);
        if (skew.isNegative()) {
            skew = Duration.ZERO;
        }
        String seen = "this machine's clock is " + (skew.isZero() ? "within 1 s of" : skew.toSeconds() + " s off") + " the server's";
        if (skew.compareTo(SKEW_FAIL) > 0) {
            fail("clock", seen, "enable time sync (timedatectl set-ntp true, or chrony)");
        } else if (skew.compareTo(SKEW_WARN) > 0) {
            warn("clock", seen, "enable time sync (timedatectl set-ntp true, or chrony)");
        } else {
            ok("clock", seen);
        }
    }

    /**
     * Asks for a download that does not exist with the agent's credential: 404 means the server
     * accepted the credential (and has no such file), 401/403 that it refused it.
     */
    private void checkCredentialAccepted(HttpClient http, AgentConfig config, Credentials c) {
        URI probe = config.serverUrl().resolve("/downloads/gururmm-doctor-probe");
        try {
            HttpResponse<Void> r = http.send(HttpRequest.newBuilder(probe).timeout(Duration.ofSeconds(15))
                    .header("Authorization", "Bearer " + c.agentToken()).header("X-GuruRMM-Agent-Id", c.agentId().toString())
                    .GET().build(), HttpResponse.BodyHandlers.discarding());
            if (r.statusCode() == 401 || r.statusCode() == 403) {
                fail("credentials", "the server refuses this agent's credential (HTTP " + r.statusCode() + "): it was retired, deleted, or belongs to another server",
                        "re-enroll: stop the service, remove " + config.stateDir().resolve("credentials.json") + ", put a new enrollment token in place, start it");
            } else {
                ok("credentials", "the server accepts this agent's credential");
            }
        } catch (IOException e) {
            warn("credentials", "could not check the credential with the server: " + e.getMessage(), null);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * The running agent's view, when it runs (doctor itself usually runs from an operator's shell,
     * outside the service's sandbox); else this process's.
     */
    private void checkSandbox(Path stateDir) {
        Optional<Long> agentPid = runningPid(stateDir);
        Optional<String> ours = HostView.mountNamespace(ProcessHandle.current().pid());
        Optional<String> agents = agentPid.flatMap(HostView::mountNamespace);
        if (ours.isPresent() && agents.isPresent() && !ours.equals(agents)) {
            boolean nsenter = com.gururmm.agent.platform.Executables.find("nsenter", List.of("/usr/bin", "/bin", "/usr/sbin", "/sbin")).isPresent();
            if (nsenter) {
                ok("sandbox", "the running agent (pid " + agentPid.get() + ") is sandboxed; its commands and shells enter the host's view (apt, dnf, /etc work)");
            } else {
                warn("sandbox", "the running agent (pid " + agentPid.get() + ") is sandboxed and nsenter is missing: its commands see a read-only /",
                        "install util-linux (nsenter)");
            }
            return;
        }
        Platform platform = Platform.current(null);
        Optional<String> note = platform.sandboxNote();
        HostView host = platform.hostView();
        if (note.isEmpty() && !host.sandboxed()) {
            ok("sandbox", "the agent sees the host's file system directly");
        } else if (host.enterable()) {
            ok("sandbox", "the agent runs sandboxed; commands and shells enter the host's view (apt, dnf, /etc work)");
        } else if (host.sandboxed()) {
            warn("sandbox", "the agent runs sandboxed and its commands cannot leave it: " + host.unavailableReason().orElse("unknown reason"),
                    "install util-linux (nsenter), and keep RestrictNamespaces= / SystemCallFilter= denying setns out of the unit");
        } else {
            ok("sandbox", note.get());
        }
    }

    private static Optional<Long> runningPid(Path stateDir) {
        try {
            String text = Files.readString(stateDir.resolve("agent.lock")).trim();
            long pid = Long.parseLong(text);
            return ProcessHandle.of(pid).filter(ProcessHandle::isAlive).map(ProcessHandle::pid);
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    private void ok(String check, String seen) {
        findings.add(new Finding(Level.OK, check, seen, null));
    }

    private void warn(String check, String seen, String fix) {
        findings.add(new Finding(Level.WARN, check, seen, fix));
    }

    private void fail(String check, String seen, String fix) {
        findings.add(new Finding(Level.FAIL, check, seen, fix));
    }
}
