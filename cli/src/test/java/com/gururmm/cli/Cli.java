package com.gururmm.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.gururmm.protocol.Json;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * Runs the real {@code gururmm} command line in this JVM with captured streams and its
 * own config dir, exactly as {@code main} would, minus {@code System.exit}.
 */
final class Cli {
    private final Map<String, String> env = new HashMap<>();

    Cli(Path configDir) {
        env.put("GURURMM_CONFIG_DIR", configDir.toString());
    }

    record Result(int exitCode, String out, String err) {
        JsonNode json() {
            try {
                return Json.mapper().readTree(out);
            } catch (IOException e) {
                throw new UncheckedIOException("stdout is not JSON: " + out, e);
            }
        }

        @Override
        public String toString() {
            return "exit " + exitCode + "\n--- stdout\n" + out + "--- stderr\n" + err;
        }
    }

    Result run(String... args) {
        return runWithStdin("", args);
    }

    Result runWithStdin(String stdin, String... args) {
        return run(stdin, false, args);
    }

    /** As if stdout and stderr were a terminal (no console to prompt on, though). */
    Result runOnTerminal(String... args) {
        return run("", true, args);
    }

    private Result run(String stdin, boolean streamsAreTerminals, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        Terminal terminal = new Terminal(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)),
                new PrintWriter(out, true), new PrintWriter(err, true), env, false, streamsAreTerminals, streamsAreTerminals);
        int code = GuruCli.run(terminal, args);
        return new Result(code, out.toString(), err.toString());
    }

    /** A CLI run in progress on its own thread: its output so far can be read while it runs. */
    record Running(StringWriter out, StringWriter err, java.util.concurrent.CompletableFuture<Integer> exit) {
        Result await(java.time.Duration timeout) throws Exception {
            int code = exit.get(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
            return new Result(code, out.toString(), err.toString());
        }
    }

    /** Starts the command line on a thread and returns at once (StringWriter is synchronized, so reading it meanwhile is safe). */
    Running start(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        Terminal terminal = new Terminal(new ByteArrayInputStream(new byte[0]), new PrintWriter(out, true), new PrintWriter(err, true),
                env, false, false, false);
        java.util.concurrent.CompletableFuture<Integer> exit = new java.util.concurrent.CompletableFuture<>();
        Thread.ofVirtual().name("cli-" + String.join("-", args).hashCode()).start(() -> {
            try {
                exit.complete(GuruCli.run(terminal, args));
            } catch (Throwable t) {
                exit.completeExceptionally(t);
            }
        });
        return new Running(out, err, exit);
    }
}
