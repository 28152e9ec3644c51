package com.gururmm.agent.exec;

import com.gururmm.agent.platform.CommandRefusedException;
import com.gururmm.agent.platform.HostView;
import com.gururmm.agent.platform.Launch;
import com.gururmm.agent.platform.Platform;
import com.gururmm.protocol.CommandType;
import com.gururmm.protocol.ExecutionContext;
import com.gururmm.protocol.FileSystemView;
import com.gururmm.protocol.wire.AgentMessage.CommandResult;
import com.gururmm.protocol.wire.ServerMessage.RunCommand;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.time.Instant;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one command as a real OS process and turns what happened into a result.
 *
 * <p>The script is written byte-exact to a private work directory and handed to the
 * interpreter as a file (never through a shell's argument parsing), so quotes, newlines and
 * non-ASCII text arrive intact. The process starts in its own process group with stdin at
 * end-of-file (nothing can wait on a prompt). At its deadline, or on cancel, the whole group
 * and every descendant is killed and the output produced so far is kept.
 */
public final class ProcessRunner {
    private static final Logger log = LoggerFactory.getLogger(ProcessRunner.class);
    public static final int OUTPUT_LIMIT_BYTES = 1024 * 1024;
    /** After the main process exits, how long background children may keep our pipes open. */
    private static final long PIPE_DRAIN_MILLIS = 3_000;

    /** Told the pid once the process runs, so the journal can record it. */
    public interface LaunchListener {
        void launched(long pid, Instant processStart);
    }

    private static final java.util.regex.Pattern SCRIPT_PARAMETER = java.util.regex.Pattern.compile("GURURMM_PARAM_[A-Z0-9_]{1,64}");

    private final Platform platform;
    private final Path workRoot;

    public ProcessRunner(Platform platform, Path workRoot) {
        this.platform = platform;
        this.workRoot = workRoot;
    }

    public CommandResult run(RunCommand command, RunningCommand control, LaunchListener listener) {
        return run(command, control, listener, null);
    }

    /** As {@link #run(RunCommand, RunningCommand, LaunchListener)}, streaming the output to {@code live} as it comes (null: not). */
    public CommandResult run(RunCommand command, RunningCommand control, LaunchListener listener, OutputStreamer live) {
        Instant startedAt = Instant.now();
        CommandType type = CommandType.parse(command.commandType()).orElse(null);
        ExecutionContext context = ExecutionContext.parse(command.context() == null ? "system" : command.context()).orElse(null);
        if (type == null) {
            return failed(command, startedAt, "Unknown command_type '" + command.commandType() + "'; this agent runs " + CommandType.allowedValues() + ".");
        }
        if (context == null) {
            return failed(command, startedAt, "Unknown context '" + command.context() + "'; use system or user_session.");
        }
        if (command.script() == null) {
            return failed(command, startedAt, "The command has no script text.");
        }
        String badVariable = command.env().entrySet().stream()
                .filter(e -> !SCRIPT_PARAMETER.matcher(e.getKey()).matches() || e.getValue() == null || e.getValue().indexOf('\0') >= 0)
                .map(Map.Entry::getKey).findFirst().orElse(null);
        if (badVariable != null) {
            // Only script parameters may be set: never PATH, LD_PRELOAD or the agent's own variables.
            return failed(command, startedAt, "The command sets environment variable '" + badVariable.replace('\0', '?')
                    + "'; only GURURMM_PARAM_<NAME> variables (A-Z, 0-9, _) with NUL-free values are accepted.");
        }
        Path workDir = workRoot.resolve(command.commandId().toString());
        // SPEC section 7: a sandboxed agent's commands see the host unless they ask for the sandbox.
        HostView host = platform.hostView();
        boolean inHost = host.enterable() && !command.wantsSandbox();
        String view = !host.sandboxed() || inHost ? FileSystemView.HOST.wireName() : FileSystemView.SANDBOX.wireName();
        Path ownDir = null;
        try {
            Files.createDirectories(workDir);
            Path script = workDir.resolve("script" + platform.scriptExtension(type));
            Files.write(script, platform.scriptBytes(type, command.script()));
            Launch launch = platform.launch(type, context, script).withVariables(command.env());
            Path hostWorkDir = inHost ? host.samePathOnHost(workDir).orElse(null) : workDir;
            if (launch.runAs() != null || hostWorkDir == null) {
                // The state dir is root's alone (0700), so a command running as the logged-on user
                // gets its script in a directory of its own under the system temp dir, owned by
                // that user and closed to everyone else. In the host's view that is the host's
                // /tmp (the agent's own /tmp may be private to its sandbox); so is a system
                // command's, when the host does not see the state dir at the same path.
                HostView.HostDirectory dir = inHost ? host.hostTemp("gururmm-" + command.commandId() + "-")
                        : new HostView.HostDirectory(Files.createTempDirectory("gururmm-" + command.commandId() + "-"), null);
                ownDir = dir.agentPath();
                hostWorkDir = dir.hostPath() != null ? dir.hostPath() : dir.agentPath();
                Path ownScript = ownDir.resolve(script.getFileName());
                Files.move(script, ownScript);
                if (launch.runAs() != null) {
                    handOver(ownDir, ownScript, launch.runAs().name());
                }
                launch = launch.withScript(script, hostWorkDir.resolve(script.getFileName()));
            }
            CommandResult result = execute(command, control, listener, ownDir != null ? ownDir : workDir,
                    inHost ? hostWorkDir : null, launch, startedAt, live);
            return result.withView(view);
        } catch (CommandRefusedException e) {
            return failed(command, startedAt, e.getMessage());
        } catch (IOException e) {
            return failed(command, startedAt, "The agent could not start the process: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return failed(command, startedAt, "The agent was stopping while the command ran.");
        } finally {
            // Off the path between exit and result: the script's directories go once the result is on its way.
            Path own = ownDir;
            Thread.ofVirtual().name("tidy-" + command.commandId()).start(() -> {
                deleteQuietly(workDir);
                if (own != null) {
                    deleteQuietly(own);
                }
            });
        }
    }

    /** @param hostWorkDir where the process starts in the host's view (null: it stays in the agent's own view) */
    private CommandResult execute(RunCommand command, RunningCommand control, LaunchListener listener, Path workDir,
                                  Path hostWorkDir, Launch launch, Instant startedAt, OutputStreamer live)
            throws IOException, InterruptedException, CommandRefusedException {
        Process process = start(command, workDir, hostWorkDir, launch);
        control.attach(process, platform);
        OutputCapture stdout = OutputCapture.start(process.getInputStream(), OUTPUT_LIMIT_BYTES, "stdout-" + command.commandId(),
                live == null ? null : live.sink(com.gururmm.protocol.wire.AgentMessage.CommandOutput.STDOUT));
        OutputCapture stderr = OutputCapture.start(process.getErrorStream(), OUTPUT_LIMIT_BYTES, "stderr-" + command.commandId(),
                live == null ? null : live.sink(com.gururmm.protocol.wire.AgentMessage.CommandOutput.STDERR));
        listener.launched(process.pid(), process.info().startInstant().orElse(startedAt));

        boolean exited = process.waitFor(command.timeoutSeconds(), TimeUnit.SECONDS);
        boolean timedOut = !exited && !control.cancelled();
        if (!exited) {
            control.killTree();
            process.waitFor();
        }
        if (!stdout.await(PIPE_DRAIN_MILLIS) | !stderr.await(PIPE_DRAIN_MILLIS)) {
            // A background child still holds the pipes: stop it so the command can finish.
            control.killTree();
            if (!stdout.await(1_000)) {
                stdout.abandon();
            }
            if (!stderr.await(1_000)) {
                stderr.abandon();
            }
        }
        Instant completedAt = Instant.now();
        String status;
        String error = null;
        Integer exitCode = process.exitValue();
        if (control.cancelled()) {
            status = "cancelled";
            error = "cancelled by a user; the process tree was killed";
        } else if (timedOut) {
            status = "timeout";
            error = "timed out after " + command.timeoutSeconds() + " s; the process tree was killed";
            exitCode = null;
        } else {
            status = "completed";
        }
        return new CommandResult(command.commandId(), status, exitCode, stdout.text(), stderr.text(),
                stdout.truncated(), stderr.truncated(), error, startedAt, completedAt);
    }

    private Process start(RunCommand command, Path workDir, Path hostWorkDir, Launch launch) throws IOException, CommandRefusedException {
        Map<String, String> environment = new HashMap<>(launch.environment());
        // Script parameters (command.env(), added to the launch by withVariables) travel as
        // variables, never inside the script text: a value holding quotes, newlines or $(...)
        // is data to the interpreter, not code.
        environment.put("GURURMM_COMMAND_ID", command.commandId().toString());
        if (launch.starter() != null) {
            return launch.starter().start(workDir, environment);
        }
        java.util.List<String> argv = hostWorkDir == null ? launch.argv() : platform.hostView().enter(launch.argv(), hostWorkDir);
        // Only an allow-list of the agent's own variables passes (see ScriptEnvironment): the agent's
        // settings and any secret whoever started it had in its environment stay out of the script.
        Map<String, String> exact = new HashMap<>(ScriptEnvironment.inherit(System.getenv()));
        exact.putAll(environment);
        java.util.Optional<Process> spawned = platform.startIsolated(argv, workDir, exact);
        if (spawned.isPresent()) {
            return spawned.get();
        }
        ProcessBuilder builder = new ProcessBuilder(platform.isolate(argv))
                .directory(workDir.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File(File.separatorChar == '\\' ? "NUL" : "/dev/null")));
        builder.environment().clear();
        builder.environment().putAll(exact);
        return builder.start();
    }

    private static CommandResult failed(RunCommand command, Instant startedAt, String reason) {
        log.info("command {} failed before it ran: {}", command.commandId(), reason);
        return new CommandResult(command.commandId(), "failed", null, "", reason, false, false, reason, startedAt, Instant.now());
    }

    /** A user_session process must be able to read its script: give the work dir to that user. */
    private static void handOver(Path workDir, Path script, String user) throws IOException {
        UserPrincipalLookupService lookup = workDir.getFileSystem().getUserPrincipalLookupService();
        var owner = lookup.lookupPrincipalByName(user);
        Files.setOwner(workDir, owner);
        Files.setOwner(script, owner);
        try {
            Files.setPosixFilePermissions(workDir, PosixFilePermissions.fromString("rwx------"));
            Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException ignored) {
            // not POSIX
        }
    }

    private static void deleteQuietly(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException ignored) {
                    // best effort
                }
            });
        } catch (IOException ignored) {
            // best effort
        }
    }
}
