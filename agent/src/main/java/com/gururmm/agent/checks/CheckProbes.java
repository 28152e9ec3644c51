package com.gururmm.agent.checks;

import com.gururmm.agent.exec.ProcessRunner;
import com.gururmm.agent.exec.RunningCommand;
import com.gururmm.protocol.wire.AgentMessage.CommandResult;
import com.gururmm.protocol.wire.ServerMessage.AgentCheck;
import com.gururmm.protocol.wire.ServerMessage.RunCommand;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * The probes behind agent-run checks, one per kind. Each returns an outcome and never throws:
 * a probe that cannot run reports {@code critical} with the reason, so a broken check is seen.
 * Script checks reuse the command runner (same interpreter choice, process-tree kill at the
 * timeout, output limits); exit 0/1/2 = ok/warning/critical, anything else critical.
 */
final class CheckProbes {
    private static final int OUTPUT_LIMIT = 4000;

    /** Debian's reboot marker; the same variable as the inventory's, so tests point both at a fixture. */
    static final String REBOOT_REQUIRED_FILE = "GURURMM_REBOOT_REQUIRED_FILE";
    /** dpkg's status file, whose change time says when packages last changed (shared with the inventory). */
    static final String DPKG_STATUS = "GURURMM_DPKG_STATUS";
    /**
     * TEST ONLY: a file whose text stands in for {@code apt-get -s upgrade}'s output, so a test can
     * have updates pending without a real apt. Never set in production.
     */
    static final String TEST_APT_UPGRADE_OUTPUT_FILE = "GURURMM_TEST_APT_UPGRADE_OUTPUT_FILE";

    private final String os;
    private final ProcessRunner runner;
    private final Path rebootMarker;
    private final Path dpkgStatus;
    private final Path aptOutputFixture;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10))
            .followRedirects(HttpClient.Redirect.NEVER).build();

    CheckProbes(String os, ProcessRunner runner, java.util.Map<String, String> env) {
        this.os = os;
        this.runner = runner;
        this.rebootMarker = Path.of(env.getOrDefault(REBOOT_REQUIRED_FILE, "/var/run/reboot-required"));
        this.dpkgStatus = Path.of(env.getOrDefault(DPKG_STATUS, "/var/lib/dpkg/status"));
        String fixture = env.get(TEST_APT_UPGRADE_OUTPUT_FILE);
        this.aptOutputFixture = fixture == null || fixture.isBlank() ? null : Path.of(fixture);
    }

    CheckOutcome run(AgentCheck check) {
        try {
            return switch (check.kind()) {
                case "service" -> service(check.service());
                case "process" -> process(check.process());
                case "tcp_port" -> tcp(check.host(), check.port(), timeout(check, 5));
                case "http" -> http(check.url(), check.expectedStatus(), timeout(check, 10));
                case "reboot_required" -> rebootRequired();
                case "pending_updates_older_than_days" -> pendingUpdates(check.days() == null ? 30 : check.days());
                case "script" -> script(check);
                default -> CheckOutcome.critical("this agent does not know check kind '" + check.kind() + "'; update the agent");
            };
        } catch (RuntimeException e) {
            return CheckOutcome.critical("the check failed to run: " + e);
        }
    }

    private static int timeout(AgentCheck check, int fallback) {
        return check.timeoutSeconds() == null ? fallback : check.timeoutSeconds();
    }

    CheckOutcome service(String name) {
        if (name == null) {
            return CheckOutcome.critical("no service named");
        }
        return switch (os) {
            case "windows" -> {
                Exec r = exec(List.of("sc.exe", "query", name), 15);
                yield r.output().contains("RUNNING") ? CheckOutcome.ok("service " + name + " is running")
                        : CheckOutcome.critical("service " + name + " is not running: " + r.output().strip());
            }
            case "macos" -> {
                Exec r = exec(List.of("launchctl", "list", name), 15);
                yield r.exit() == 0 ? CheckOutcome.ok("launchd job " + name + " is loaded")
                        : CheckOutcome.critical("launchd job " + name + " is not loaded: " + r.output().strip());
            }
            default -> {
                Exec r = exec(List.of("systemctl", "is-active", name), 15);
                String state = r.output().strip();
                yield r.exit() == 0 && state.equals("active") ? CheckOutcome.ok("unit " + name + " is active")
                        : CheckOutcome.critical("unit " + name + " is " + (state.isEmpty() ? "not active (exit " + r.exit() + ")" : state));
            }
        };
    }

    CheckOutcome process(String name) {
        if (name == null) {
            return CheckOutcome.critical("no process named");
        }
        long count = ProcessHandle.allProcesses().filter(p -> p.info().command().map(c -> matches(c, name)).orElse(false)).count();
        return count > 0 ? CheckOutcome.ok(count + " process(es) named " + name + " running")
                : CheckOutcome.critical("no process named " + name + " is running");
    }

    private static boolean matches(String command, String name) {
        String base = Path.of(command).getFileName() == null ? command : Path.of(command).getFileName().toString();
        return base.equalsIgnoreCase(name) || base.equalsIgnoreCase(name + ".exe");
    }

    CheckOutcome tcp(String host, Integer port, int timeoutSeconds) {
        long start = System.nanoTime();
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host, port), timeoutSeconds * 1000);
            return CheckOutcome.ok(host + ":" + port + " accepted a connection in " + (System.nanoTime() - start) / 1_000_000 + " ms");
        } catch (IOException e) {
            return CheckOutcome.critical(host + ":" + port + " unreachable: " + e.getMessage());
        }
    }

    CheckOutcome http(String url, Integer expected, int timeoutSeconds) {
        try {
            HttpResponse<Void> response = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(timeoutSeconds))
                    .GET().build(), HttpResponse.BodyHandlers.discarding());
            int status = response.statusCode();
            boolean good = expected != null ? status == expected : status >= 200 && status < 400;
            String line = url + " answered " + status;
            return good ? CheckOutcome.ok(line) : CheckOutcome.critical(line + (expected != null ? " (expected " + expected + ")" : ""));
        } catch (IOException e) {
            return CheckOutcome.critical(url + " failed: " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return CheckOutcome.critical(url + ": interrupted");
        }
    }

    /** Debian/Ubuntu's marker file; Windows' pending-reboot registry keys; macOS has no such flag. */
    CheckOutcome rebootRequired() {
        return switch (os) {
            case "windows" -> {
                Exec r = exec(List.of("reg.exe", "query",
                        "HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\WindowsUpdate\\Auto Update\\RebootRequired"), 15);
                yield r.exit() == 0 ? CheckOutcome.critical("Windows Update requires a reboot") : CheckOutcome.ok("no reboot required");
            }
            case "linux" -> {
                Path marker = rebootMarker;
                if (Files.exists(marker)) {
                    String pkgs = read(marker.resolveSibling(marker.getFileName() + ".pkgs")).map(t -> " (" + t.strip().replace('\n', ' ') + ")").orElse("");
                    yield CheckOutcome.critical("a reboot is required" + pkgs);
                }
                yield CheckOutcome.ok("no reboot required");
            }
            default -> CheckOutcome.ok("this OS reports no pending reboot");
        };
    }

    /**
     * Linux with apt: updates are pending (simulated upgrade lists some) and packages were last
     * changed (dpkg's status file) more than {@code days} ago, i.e. updates have waited at least
     * that long. Elsewhere the server's inventory is the better source (see docs).
     */
    CheckOutcome pendingUpdates(int days) {
        if (!os.equals("linux") || (aptOutputFixture == null && !Files.exists(Path.of("/usr/bin/apt-get")))) {
            return CheckOutcome.ok("pending-update age is only probed on apt-based Linux by the agent");
        }
        String simulation;
        if (aptOutputFixture != null) {
            simulation = read(aptOutputFixture).orElse("");
        } else {
            Exec r = exec(List.of("apt-get", "-s", "-o", "Debug::NoLocking=true", "upgrade"), 120);
            if (r.exit() != 0) {
                return CheckOutcome.critical("apt-get -s upgrade failed (exit " + r.exit() + "): " + r.output().strip());
            }
            simulation = r.output();
        }
        long pending = pendingCount(simulation);
        if (pending == 0) {
            return CheckOutcome.ok("no pending updates");
        }
        Instant changed;
        try {
            changed = Files.getLastModifiedTime(dpkgStatus).toInstant();
        } catch (IOException e) {
            return CheckOutcome.critical(pending + " updates pending; cannot read when packages last changed: " + e.getMessage());
        }
        long age = Duration.between(changed, Instant.now()).toDays();
        return age >= days ? CheckOutcome.critical(pending + " updates pending; packages unchanged for " + age + " days")
                : CheckOutcome.ok(pending + " updates pending; packages changed " + age + " days ago");
    }

    /** The packages a simulated upgrade would install: its {@code Inst } lines. */
    static long pendingCount(String aptSimulation) {
        return aptSimulation.lines().filter(l -> l.startsWith("Inst ")).count();
    }

    CheckOutcome script(AgentCheck check) {
        UUID id = UUID.randomUUID();
        RunCommand command = new RunCommand(id, check.scriptType(), check.script(), "system", timeout(check, 60));
        CommandResult result = runner.run(command, new RunningCommand(id), (pid, started) -> { });
        String output = clip((result.stdout() == null ? "" : result.stdout()) + (result.stderr() == null || result.stderr().isEmpty() ? ""
                : (result.stdout() == null || result.stdout().isEmpty() ? "" : "\n") + result.stderr()));
        if (!"completed".equals(result.status())) {
            return CheckOutcome.critical("script " + result.status() + ": " + (result.error() == null ? "" : result.error()) + "\n" + output);
        }
        return switch (result.exitCode()) {
            case 0 -> new CheckOutcome("ok", output);
            case 1 -> new CheckOutcome("warning", output);
            case 2 -> new CheckOutcome("critical", output);
            default -> CheckOutcome.critical("exit code " + result.exitCode() + " (expected 0, 1 or 2)\n" + output);
        };
    }

    private record Exec(int exit, String output) {
    }

    private static Exec exec(List<String> argv, int timeoutSeconds) {
        try {
            Process p = new ProcessBuilder(argv).redirectErrorStream(true)
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File(java.io.File.separatorChar == '\\' ? "NUL" : "/dev/null")))
                    .start();
            byte[] out = p.getInputStream().readNBytes(64 * 1024);
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return new Exec(-1, "timed out: " + String.join(" ", argv));
            }
            return new Exec(p.exitValue(), clip(new String(out, StandardCharsets.UTF_8)));
        } catch (IOException e) {
            return new Exec(-1, "cannot run " + argv.get(0) + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Exec(-1, "interrupted");
        }
    }

    private static Optional<String> read(Path file) {
        try {
            return Optional.of(Files.readString(file));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private static String clip(String s) {
        return s.length() > OUTPUT_LIMIT ? s.substring(0, OUTPUT_LIMIT) + "\n[truncated]" : s;
    }
}
