package com.gururmm.cli.shell;

import com.gururmm.cli.CliException;
import com.gururmm.cli.Terminal;
import com.gururmm.cli.agents.Agents;
import com.gururmm.cli.config.Session;
import com.gururmm.client.GuruClient;
import com.gururmm.client.TunnelClient;
import com.gururmm.protocol.api.Agents.AgentSummary;
import com.gururmm.protocol.api.Tunnel.SessionView;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import org.jline.terminal.Attributes;
import org.jline.terminal.TerminalBuilder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code gururmm shell AGENT}: an interactive shell on the agent through the tunnel. On a
 * terminal it switches it to raw mode with JLine (every key goes to the remote shell, Ctrl-C
 * included), follows window resizes (SIGWINCH) and restores the terminal at the end; with piped
 * stdin it sends the input as typed. A dropped connection is reattached without losing output
 * ({@link TunnelClient}). The exit status is the remote shell's; 255 when the session ended
 * without one (closed, idle timeout, lost), as ssh does.
 */
@Command(name = "shell", mixinStandardHelpOptions = true,
        description = "Open an interactive shell on an agent (its exit status becomes this command's).",
        footer = {"%nExamples:", "  gururmm shell web01", "  gururmm shell web01 --context user_session",
                "%nExit status: the remote shell's; 255 when the session ended without one (closed, idle timeout, connection lost)."})
public final class ShellCommand implements Callable<Integer> {
    /** As ssh: the session ended without a status of the remote shell. */
    public static final int NO_STATUS = 255;

    @Mixin
    private Session session;

    @Parameters(index = "0", paramLabel = "AGENT", description = "Agent id, id prefix or hostname.")
    private String agent;

    @Option(names = "--context", defaultValue = "system", description = "system (root / LocalSystem) or user_session (the logged-on user).")
    private String context;

    private final Terminal terminal;

    public ShellCommand(Terminal terminal) {
        this.terminal = terminal;
    }

    @Override
    public Integer call() throws Exception {
        GuruClient client = session.client();
        AgentSummary target = Agents.resolve(client, agent);
        if (terminal.interactive()) {
            return interactive(client, target);
        }
        return piped(client, target);
    }

    private Integer interactive(GuruClient client, AgentSummary target) throws Exception {
        try (org.jline.terminal.Terminal tty = TerminalBuilder.builder().system(true).build()) {
            int cols = clamp(tty.getWidth(), 80);
            int rows = clamp(tty.getHeight(), 24);
            SessionView opened = client.openTunnel(target.id(), context, cols, rows);
            OutputStream out = tty.output();
            Attributes saved = tty.enterRawMode();
            try (TunnelClient shell = client.attachTunnel(opened.sessionId(), new TunnelClient.Listener() {
                @Override
                public void output(byte[] data) {
                    try {
                        out.write(data);
                        out.flush();
                    } catch (IOException ignored) {
                        // the local terminal went away; the session ends with it below
                    }
                }
            })) {
                tty.handle(org.jline.terminal.Terminal.Signal.WINCH,
                        signal -> shell.resize(clamp(tty.getWidth(), cols), clamp(tty.getHeight(), rows)));
                Thread pump = Thread.ofVirtual().start(() -> pump(tty.input(), shell));
                Integer code = await(shell);
                pump.interrupt();
                return code == null ? NO_STATUS : code;
            } finally {
                tty.setAttributes(saved);
                tty.writer().println();
                tty.flush();
            }
        }
    }

    private Integer piped(GuruClient client, AgentSummary target) throws Exception {
        int cols = clamp(parse(terminal.env().get("COLUMNS")), 80);
        int rows = clamp(parse(terminal.env().get("LINES")), 24);
        SessionView opened = client.openTunnel(target.id(), context, cols, rows);
        java.nio.charset.CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(java.nio.charset.CodingErrorAction.REPLACE);
        try (TunnelClient shell = client.attachTunnel(opened.sessionId(), new TunnelClient.Listener() {
            private java.nio.ByteBuffer pending = java.nio.ByteBuffer.allocate(0);

            @Override
            public synchronized void output(byte[] data) {
                java.nio.ByteBuffer in = java.nio.ByteBuffer.allocate(pending.remaining() + data.length).put(pending).put(data).flip();
                java.nio.CharBuffer chars = java.nio.CharBuffer.allocate(in.remaining() + 1);
                decoder.decode(in, chars, false);
                pending = in.slice();
                terminal.out().print(chars.flip());
                terminal.out().flush();
            }
        })) {
            Thread pump = Thread.ofVirtual().start(() -> pump(terminal.in(), shell));
            Integer code = await(shell);
            pump.interrupt();
            return code == null ? NO_STATUS : code;
        }
    }

    /** Local keys to the remote shell. End of input (a pipe) sends nothing more; the shell decides when to exit. */
    private static void pump(InputStream in, TunnelClient shell) {
        byte[] buffer = new byte[8192];
        try {
            int n;
            while ((n = in.read(buffer)) >= 0) {
                if (n > 0) {
                    shell.send(java.util.Arrays.copyOf(buffer, n));
                }
            }
        } catch (IOException ignored) {
            // input closed
        }
    }

    private static Integer await(TunnelClient shell) throws InterruptedException {
        try {
            return shell.exit().get();
        } catch (ExecutionException e) {
            throw new CliException(1, "the shell session failed: " + e.getCause().getMessage());
        }
    }

    private static int parse(String value) {
        try {
            return value == null ? 0 : Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static int clamp(int value, int fallback) {
        return value < 1 ? fallback : Math.min(value, 1000);
    }
}
