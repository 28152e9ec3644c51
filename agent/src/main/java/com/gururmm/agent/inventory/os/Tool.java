package com.gururmm.agent.inventory.os;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Runs one OS query tool ({@code rpm}, {@code systemctl}, {@code apt-get -s}, {@code sc}...) for
 * the inventory: bounded in time (the process tree is killed at the deadline) and in output (a
 * tool that prints more than {@link #MAX_OUTPUT} is cut off and reported as an error, never read
 * into memory whole). Standard input is closed so a tool that asks a question gets EOF.
 */
public final class Tool {
    static final int MAX_OUTPUT = 32 * 1024 * 1024;

    /** What the tool printed and how it ended. */
    public record Result(int exitCode, String stdout, String stderr) {
    }

    private Tool() {
    }

    /** True when {@code name} is an executable on the PATH (or an absolute path to one). */
    public static boolean exists(String name) {
        if (name.contains("/")) {
            return Files.isExecutable(Path.of(name));
        }
        String path = System.getenv("PATH");
        if (path == null) {
            return false;
        }
        for (String dir : path.split(File.pathSeparator)) {
            if (!dir.isEmpty() && (Files.isExecutable(Path.of(dir, name)) || Files.isExecutable(Path.of(dir, name + ".exe")))) {
                return true;
            }
        }
        return false;
    }

    public static Result run(List<String> argv, Duration timeout) throws IOException {
        Process p = new ProcessBuilder(argv).redirectInput(ProcessBuilder.Redirect.PIPE).start();
        p.getOutputStream().close();
        CompletableFuture<byte[]> out = drain(p.getInputStream());
        CompletableFuture<byte[]> err = drain(p.getErrorStream());
        try {
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                throw new IOException(argv.getFirst() + " did not finish within " + timeout.toSeconds() + " s");
            }
            byte[] stdout = out.get(5, TimeUnit.SECONDS);
            byte[] stderr = err.get(5, TimeUnit.SECONDS);
            if (stdout.length > MAX_OUTPUT) {
                throw new IOException(argv.getFirst() + " printed more than " + MAX_OUTPUT / (1024 * 1024) + " MiB");
            }
            return new Result(p.exitValue(), new String(stdout, StandardCharsets.UTF_8), new String(stderr, StandardCharsets.UTF_8));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
            throw new IOException("interrupted while running " + argv.getFirst());
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            p.destroyForcibly();
            throw new IOException("cannot read the output of " + argv.getFirst() + ": " + e);
        }
    }

    /** Reads at most {@link #MAX_OUTPUT} + 1 bytes, then discards the rest so the tool is not blocked on a full pipe. */
    private static CompletableFuture<byte[]> drain(InputStream in) {
        CompletableFuture<byte[]> done = new CompletableFuture<>();
        Thread.ofVirtual().name("inventory-tool-output").start(() -> {
            ByteArrayOutputStream buffer = new ByteArrayOutputStream();
            byte[] chunk = new byte[65536];
            try (in) {
                int n;
                while ((n = in.read(chunk)) >= 0) {
                    if (buffer.size() <= MAX_OUTPUT) {
                        buffer.write(chunk, 0, Math.min(n, MAX_OUTPUT + 1 - buffer.size()));
                    }
                }
            } catch (IOException ignored) {
                // the process was killed; report what was read
            }
            done.complete(buffer.toByteArray());
        });
        return done;
    }
}
