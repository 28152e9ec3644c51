package com.gururmm.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.gururmm.client.GuruClient;
import com.gururmm.protocol.Json;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;

/**
 * A real agent as a separate OS process ({@code java ... com.gururmm.agent.AgentMain}) with
 * its own state dir and machine id file, so one test can run several "machines". It can be
 * killed with SIGKILL mid-command and started again on the same state dir.
 */
public final class AgentProcess implements AutoCloseable {
    private final Path stateDir;
    private final Path machineIdFile;
    private final Path logFile;
    private final Map<String, String> env = new HashMap<>();
    private final List<String> jvmOptions = new ArrayList<>();
    private Process process;
    private boolean sandboxed;

    private AgentProcess(URI serverUrl, String enrollmentToken, String machineId, Path stateDir) throws IOException {
        this.stateDir = stateDir;
        Path home = Files.createTempDirectory("gururmm-agent-home-");
        this.machineIdFile = home.resolve("machine-id");
        this.logFile = home.resolve("agent.log");
        Files.writeString(machineIdFile, machineId + "\n");
        env.put("GURURMM_SERVER_URL", serverUrl.toString());
        env.put("GURURMM_ENROLLMENT_TOKEN", enrollmentToken);
        env.put("GURURMM_STATE_DIR", stateDir.toString());
        env.put("GURURMM_MACHINE_ID_FILE", machineIdFile.toString());
        // A full inventory runs dpkg, systemctl and apt-get -s (seconds of CPU on a loaded machine):
        // only the tests about it ask for one at connect (env GURURMM_INVENTORY_STARTUP_DELAY_SECONDS=0).
        env.put("GURURMM_INVENTORY_STARTUP_DELAY_SECONDS", "86400");
    }

    /** A new machine (random machine id) with a new state dir. */
    public static AgentProcess create(URI serverUrl, String enrollmentToken) {
        return create(serverUrl, enrollmentToken, UUID.randomUUID().toString().replace("-", ""));
    }

    public static AgentProcess create(URI serverUrl, String enrollmentToken, String machineId) {
        try {
            return new AgentProcess(serverUrl, enrollmentToken, machineId, Files.createTempDirectory("gururmm-agent-state-"));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** An extra option for the agent's JVM (e.g. a system property), before the main class. */
    public AgentProcess jvmOption(String option) {
        jvmOptions.add(option);
        return this;
    }

    public AgentProcess env(String key, String value) {
        env.put(key, value);
        return this;
    }

    /** What a one-off agent subcommand printed (stdout and stderr together) and its exit code. */
    public record Run(int exitCode, String output) {
    }

    /**
     * Runs {@code gururmm-agent ARGS} (e.g. {@code doctor}) once, with this agent's environment
     * plus {@code extraEnv}, outside any sandbox, as an operator would from a shell.
     */
    public Run runSubcommand(Map<String, String> extraEnv, String... args) {
        String javaBin = ProcessHandle.current().info().command().orElse("java");
        List<String> command = new ArrayList<>(List.of(javaBin, "-Xmx64m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-cp", System.getProperty("java.class.path"), "com.gururmm.agent.AgentMain"));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().keySet().removeIf(k -> k.startsWith("GURURMM_"));
        builder.environment().putAll(env);
        builder.environment().putAll(extraEnv);
        try {
            Process p = builder.start();
            String output = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            if (!p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("gururmm-agent " + String.join(" ", args) + " did not finish in 60 s:\n" + output);
            }
            return new Run(p.exitValue(), output);
        } catch (IOException e) {
            throw new IllegalStateException("cannot run gururmm-agent " + String.join(" ", args), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Leaves {@code key} out of the agent's environment (e.g. the enrollment token, to pass it as a file instead). */
    public AgentProcess withoutEnv(String key) {
        env.remove(key);
        return this;
    }

    /**
     * Runs the agent the way systemd's {@code ProtectSystem=strict} does (SPEC section 7): in a
     * private mount namespace where {@code /} is remounted read-only and only the state dir
     * stays writable (systemd's {@code StateDirectory=}). Needs root and util-linux's unshare.
     */
    public AgentProcess sandboxed() {
        this.sandboxed = true;
        return this;
    }

    /** True where {@link #sandboxed()} can work: root, with unshare able to make a mount namespace. */
    public static boolean canSandbox() {
        try {
            Process probe = new ProcessBuilder("unshare", "-m", "--propagation", "private", "true").redirectErrorStream(true).start();
            return probe.waitFor() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    public AgentProcess start() {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> command = new ArrayList<>();
        if (sandboxed) {
            command.addAll(List.of("unshare", "-m", "--propagation", "private", "sh", "-c",
                    "mount --bind \"$0\" \"$0\" && mount --bind / / && mount -o remount,bind,ro / && shift && exec \"$@\"",
                    stateDir.toString(), "--"));
        }
        command.addAll(List.of(java, "-Xmx128m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-XX:-UsePerfData"));
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), "com.gururmm.agent.AgentMain"));
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
        builder.environment().keySet().removeIf(k -> k.startsWith("GURURMM_"));
        builder.environment().putAll(env);
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new IllegalStateException("cannot start agent process", e);
        }
        return this;
    }

    /**
     * Runs a real agent build the way it is installed: {@code java -jar <jar> launcher}. The
     * launcher copies the jar under the state dir and runs it as a child (self-update tests).
     */
    public AgentProcess startLauncher(Path jar) {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> command = List.of(java, "-Xmx64m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-jar", jar.toString(), "launcher");
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
        builder.environment().keySet().removeIf(k -> k.startsWith("GURURMM_"));
        builder.environment().putAll(env);
        builder.environment().putIfAbsent("GURURMM_AGENT_JAVA_OPTS", "-Xmx128m -XX:+UseSerialGC -XX:TieredStopAtLevel=1");
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new IllegalStateException("cannot start agent launcher", e);
        }
        return this;
    }

    /** Waits until the agent has enrolled and the server lists it online; returns its id. */
    public UUID awaitOnline(GuruClient client) {
        Awaitility.await("agent enrolled (log: " + logFile + ")").atMost(Duration.ofSeconds(30)).until(() -> agentIdOrNull() != null);
        UUID id = agentIdOrNull();
        Awaitility.await("agent online (log: " + logFile + ")").atMost(Duration.ofSeconds(30))
                .until(() -> client.agents().stream().anyMatch(a -> a.id().equals(id) && a.status().equals("online")));
        return id;
    }

    public UUID agentId() {
        UUID id = agentIdOrNull();
        if (id == null) {
            throw new IllegalStateException("agent has not enrolled yet; log: " + log());
        }
        return id;
    }

    private UUID agentIdOrNull() {
        Path file = stateDir.resolve("credentials.json");
        if (!Files.exists(file)) {
            return null;
        }
        try {
            JsonNode node = Json.mapper().readTree(Files.readString(file));
            return UUID.fromString(node.get("agent_id").asText());
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** SIGKILL: the agent gets no chance to clean up (its children are left running). */
    public void kill() {
        if (process != null) {
            process.destroyForcibly();
            waitFor();
        }
    }

    /** SIGTERM, as a service manager would stop it. */
    public void stop() {
        if (process != null && process.isAlive()) {
            process.destroy();
            waitFor();
        }
    }

    private void waitFor() {
        try {
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * SIGSTOP: the process freezes the way a sleeping laptop does. It reads and writes nothing, and
     * its sockets stay open, so the server sees a silent connection, not a closed one.
     */
    public void suspend() {
        signal("STOP");
    }

    /** SIGCONT after {@link #suspend()}: the process carries on where it stopped, its timers long overdue. */
    public void resume() {
        signal("CONT");
    }

    private void signal(String name) {
        if (process == null) {
            throw new IllegalStateException("agent not started");
        }
        try {
            Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).redirectErrorStream(true).start();
            String output = new String(kill.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
                throw new IllegalStateException("kill -" + name + " " + process.pid() + " failed: " + output);
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot run kill", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The process this started: the agent itself, or with {@link #startLauncher} the launcher (its child is the agent). */
    public ProcessHandle processHandle() {
        if (process == null) {
            throw new IllegalStateException("agent not started");
        }
        return process.toHandle();
    }

    public boolean isAlive() {
        return process != null && process.isAlive();
    }

    public Path stateDir() {
        return stateDir;
    }

    /** Whether the agent's outbox still holds {@code commandId}'s result, unacknowledged (read from its ledger). */
    public boolean outboxHolds(java.util.UUID commandId) {
        return com.gururmm.agent.state.Ledger.unacknowledgedResults(stateDir).stream().anyMatch(r -> r.commandId().equals(commandId));
    }

    /** Whether every result the agent stored has been acknowledged by the server. */
    public boolean outboxEmpty() {
        return com.gururmm.agent.state.Ledger.unacknowledgedResults(stateDir).isEmpty();
    }

    public String log() {
        try {
            return Files.exists(logFile) ? Files.readString(logFile) : "";
        } catch (IOException e) {
            return "(cannot read " + logFile + ")";
        }
    }

    @Override
    public void close() {
        if (process != null) {
            // A launcher's agent child (and anything it ran) must not outlive the test.
            process.descendants().forEach(ProcessHandle::destroyForcibly);
        }
        if (process != null && process.isAlive()) {
            process.destroyForcibly();
            waitFor();
        }
    }
}
