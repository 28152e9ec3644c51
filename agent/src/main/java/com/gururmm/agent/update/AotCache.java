package com.gururmm.agent.update;

import com.gururmm.agent.exec.CommandExecutor;
import com.gururmm.agent.exec.ProcessRunner;
import com.gururmm.agent.platform.Platform;
import com.gururmm.agent.state.Journal;
import com.gururmm.agent.state.Outbox;
import com.gururmm.agent.state.StateDir;
import com.gururmm.protocol.wire.AgentMessage;
import com.gururmm.protocol.wire.ServerMessage.RunCommand;
import com.gururmm.protocol.wire.Wire;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent starts warm: on JDK 25+ each installed version gets an ahead-of-time cache
 * ({@code agent.aot} beside its jar; JEP 483/514/515: classes loaded and linked, method profiles)
 * from a training run of the hot path, made before the version first starts: at install (the
 * launcher's first start) and, for an update, by the old version while it still serves. Without
 * it a fresh JVM answers its first commands 2–3 times slower than a warm one.
 *
 * <p>The training run ({@code gururmm-agent train}, {@link #train()}) runs real commands through
 * the real executor, ledger and process runner in a throw-away state directory, and encodes and
 * decodes their protocol messages; it touches nothing of the installed agent's state. A version
 * whose training failed is not retried on every start (a {@code agent.aot.failed} marker): it
 * runs with the dynamic class-data archive, as on older JDKs.
 */
public final class AotCache {
    private static final Logger log = LoggerFactory.getLogger(AotCache.class);
    static final String FILE = "agent.aot";
    private static final int TRAINING_COMMANDS = 40;
    private static final long TRAINING_TIMEOUT_SECONDS = 90;

    private AotCache() {
    }

    /** Ahead-of-time caches need JDK 25 (JEP 514's one-step {@code -XX:AOTCacheOutput}). */
    public static boolean supported() {
        return Runtime.version().feature() >= 25;
    }

    static Path cacheOf(Path jar) {
        return jar.resolveSibling(FILE);
    }

    /**
     * Makes {@code jar}'s cache if it has none (and training has not failed before); true if the
     * cache is there afterwards. Blocks for the training run, a few seconds.
     */
    static boolean prepare(String java, List<String> jvmOptions, Path jar) {
        Path cache = cacheOf(jar);
        Path failed = cache.resolveSibling(FILE + ".failed");
        if (Files.isRegularFile(cache)) {
            return true;
        }
        if (!supported() || Files.exists(failed) || !knowsTraining(jar)) {
            return false;
        }
        List<String> command = new ArrayList<>();
        command.add(java);
        command.addAll(jvmOptions);
        command.add("-XX:AOTCacheOutput=" + cache);
        command.addAll(List.of("-jar", jar.toString(), "train"));
        long started = System.nanoTime();
        try {
            Path output = Files.createTempFile(jar.getParent(), "aot-training-", ".log");
            try {
                ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile());
                // Nothing of the installed agent's settings: the training run has its own state dir and no server.
                builder.environment().keySet().removeIf(name -> name.startsWith("GURURMM_"));
                Process process = builder.start();
                if (!process.waitFor(TRAINING_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                    process.descendants().forEach(ProcessHandle::destroyForcibly);
                    process.destroyForcibly();
                    throw new IOException("the training run took over " + TRAINING_TIMEOUT_SECONDS + " s");
                }
                if (process.exitValue() != 0 || !Files.isRegularFile(cache)) {
                    throw new IOException("the training run exited with " + process.exitValue() + ": "
                            + tail(Files.readString(output)));
                }
            } finally {
                Files.deleteIfExists(output);
            }
            log.info("made the start-up cache {} ({} KiB) in {} ms", cache, Files.size(cache) / 1024,
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
            return true;
        } catch (IOException e) {
            log.warn("no start-up cache for {}: {}; it starts without one", jar, e.getMessage());
            try {
                Files.deleteIfExists(cache);
                Files.writeString(failed, e.getMessage() == null ? "failed" : e.getMessage());
            } catch (IOException ignored) {
                // then it is tried again at the next start
            }
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** A build older than the start-up cache has no {@code train} command: it would start as an agent instead. */
    private static boolean knowsTraining(Path jar) {
        try (java.util.zip.ZipFile zip = new java.util.zip.ZipFile(jar.toFile())) {
            return zip.getEntry(AotCache.class.getName().replace('.', '/') + ".class") != null;
        } catch (IOException e) {
            return false;
        }
    }

    private static String tail(String text) {
        String trimmed = text.strip();
        return trimmed.length() <= 400 ? trimmed : "..." + trimmed.substring(trimmed.length() - 400);
    }

    /** {@code gururmm-agent train}: the training workload; exit code 0 when every command ran. */
    public static int train() {
        Path dir = null;
        try {
            dir = Files.createTempDirectory("gururmm-training-");
            StateDir state = new StateDir(dir);
            state.prepare();
            Platform platform = Platform.current(dir.resolve("machine-id"));
            Set<UUID> answered = ConcurrentHashMap.newKeySet();
            CommandExecutor executor = new CommandExecutor(new Journal(state), new Outbox(state),
                    new ProcessRunner(platform, state.resolve("work")), message -> {
                        String frame = Wire.encode(message);
                        if (message instanceof AgentMessage.CommandResult result && frame.contains("trained")) {
                            answered.add(result.commandId());
                        }
                    });
            List<String> types = trainingTypes(platform);
            for (int i = 0; i < TRAINING_COMMANDS; i++) {
                UUID id = UUID.randomUUID();
                String type = types.get(i % types.size());
                RunCommand run = (RunCommand) Wire.decodeServerMessage(Wire.encode(new RunCommand(id, type, "echo trained", "system", 30)));
                executor.onRun(run);
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (!answered.contains(id)) {
                    if (System.nanoTime() > deadline) {
                        System.err.println("training command " + i + " (" + type + ") did not finish within 30 s");
                        return 1;
                    }
                    Thread.sleep(1);
                }
                executor.onAck(id);
            }
            return 0;
        } catch (Exception e) {
            System.err.println("training failed: " + e);
            return 1;
        } finally {
            deleteTree(dir);
        }
    }

    private static List<String> trainingTypes(Platform platform) {
        if (platform.os().equals("windows")) {
            return List.of("cmd", "powershell");
        }
        return Files.isExecutable(Path.of("/bin/bash")) || Files.isExecutable(Path.of("/usr/bin/bash")) ? List.of("bash", "sh") : List.of("sh");
    }

    private static void deleteTree(Path dir) {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a temp dir; the OS cleans it eventually
        }
    }
}
