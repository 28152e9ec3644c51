package com.gururmm.bench.sim;

import com.gururmm.protocol.wire.ServerMessage.RunCommand;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/** How a simulated agent "runs" a command. */
public sealed interface Executor {
    /** Output of one run. */
    record Outcome(int exitCode, String stdout, String stderr) {
    }

    Outcome run(RunCommand command);

    /** True if {@link #run} may block (so it must not run on a WebSocket callback thread). */
    boolean blocking();

    static Executor named(String name) {
        return switch (name) {
            case "echo" -> new Echo();
            case "process" -> new RealProcess();
            default -> throw new IllegalArgumentException("executor must be echo or process; got " + name);
        };
    }

    /**
     * In-process: answers at once, so the figures measure the server and the protocol, not a
     * fork. {@code echo X} yields {@code X\n}; any other script yields itself.
     */
    final class Echo implements Executor {
        @Override
        public Outcome run(RunCommand command) {
            String script = command.script();
            String out = script.startsWith("echo ") ? script.substring(5) + "\n" : script;
            return new Outcome(0, out, "");
        }

        @Override
        public boolean blocking() {
            return false;
        }
    }

    /** A real {@code sh -c <script>} per command, as the real agent does on Linux. */
    final class RealProcess implements Executor {
        @Override
        public Outcome run(RunCommand command) {
            try {
                Process p = new ProcessBuilder("sh", "-c", command.script()).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
                String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
                if (!p.waitFor(command.timeoutSeconds(), TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    return new Outcome(-1, out, err + "timed out");
                }
                return new Outcome(p.exitValue(), out, err);
            } catch (IOException e) {
                return new Outcome(127, "", e.toString());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return new Outcome(130, "", "interrupted");
            }
        }

        @Override
        public boolean blocking() {
            return true;
        }
    }
}
