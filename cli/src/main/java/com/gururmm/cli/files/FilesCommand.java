package com.gururmm.cli.files;

import com.gururmm.cli.CliException;
import com.gururmm.cli.ExitCode;
import com.gururmm.cli.Terminal;
import com.gururmm.cli.agents.Agents;
import com.gururmm.cli.config.Session;
import com.gururmm.client.GuruClient;
import com.gururmm.protocol.api.AgentFiles;
import com.gururmm.protocol.api.Agents.AgentSummary;
import com.gururmm.protocol.text.ControlChars;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.function.LongConsumer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code gururmm files push|pull}: copy a file to or from an agent (docs/CLI.md, "Files"). Both
 * directions are SHA-256 checked end to end: a push sends the local file's hash, which the agent
 * checks before it renames the file into place; a pull checks its copy against the hash the
 * agent sent and only then renames {@code LOCAL.gururmm-part} to {@code LOCAL}. Progress goes to
 * stderr; {@code --resume} continues an interrupted transfer.
 */
@Command(name = "files", mixinStandardHelpOptions = true, description = "Copy files to and from agents (SHA-256 checked, resumable).",
        subcommands = {FilesCommand.Push.class, FilesCommand.Pull.class},
        footer = {"%nExamples:", "  gururmm files push ./fix.sh web01:/usr/local/bin/fix.sh",
                "  gururmm files pull web01:/var/log/syslog ./syslog", "  gururmm files pull web01:C:\\Temp\\dump.dmp dump.dmp --resume",
                "%nExit codes: 0 copied and verified, 1 refused (checksum mismatch, size limit, path outside the agent's root,",
                "agent offline), 2 usage error, 3 not logged in, 4 unreachable."})
public final class FilesCommand implements Runnable {
    @Override
    public void run() {
        throw CliException.usage("Missing subcommand: push or pull. See 'gururmm files --help'.");
    }

    /** {@code AGENT:PATH}, split at the first colon (a hostname has none; a Windows path may). */
    record Remote(String agent, String path) {
        static Remote parse(String text) {
            int colon = text.indexOf(':');
            if (colon <= 0 || colon == text.length() - 1) {
                throw CliException.usage("'" + ControlChars.escape(text) + "' is not AGENT:PATH; write e.g. web01:/tmp/report.txt");
            }
            return new Remote(text.substring(0, colon), text.substring(colon + 1));
        }
    }

    /** Writes "pushing 3.0 MiB / 20.0 MiB (15%)" to stderr, at most every quarter second, and a final line. */
    static final class Progress implements LongConsumer {
        private final Terminal terminal;
        private final String verb;
        private final long total;
        private final boolean quiet;
        private long lastNanos;

        Progress(Terminal terminal, String verb, long total, boolean quiet) {
            this.terminal = terminal;
            this.verb = verb;
            this.total = total;
            this.quiet = quiet;
        }

        @Override
        public synchronized void accept(long done) {
            long now = System.nanoTime();
            if (quiet || (now - lastNanos < 250_000_000L && (total < 0 || done < total))) {
                return;
            }
            lastNanos = now;
            String percent = total > 0 ? String.format(Locale.ROOT, " (%d%%)", done * 100 / total) : "";
            terminal.err().print((terminal.interactive() ? "\r" : "") + verb + " " + size(done) + (total >= 0 ? " / " + size(total) : "") + percent
                    + (terminal.interactive() ? "" : "\n"));
            terminal.err().flush();
        }

        void end() {
            if (!quiet && terminal.interactive()) {
                terminal.err().println();
                terminal.err().flush();
            }
        }

        static String size(long bytes) {
            return bytes < 1024 * 1024 ? String.format(Locale.ROOT, "%.1f KiB", bytes / 1024.0)
                    : String.format(Locale.ROOT, "%.1f MiB", bytes / 1024.0 / 1024.0);
        }
    }

    static String sha256(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            byte[] buffer = new byte[64 * 1024];
            for (int n; (n = in.read(buffer)) > 0; ) {
                digest.update(buffer, 0, n);
            }
            return HexFormat.of().formatHex(digest.digest());
        } catch (IOException e) {
            throw CliException.usage("Cannot read " + file + ": " + e.getMessage());
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Command(name = "push", mixinStandardHelpOptions = true, description = "Upload LOCAL to PATH on AGENT (the file is replaced only once it is whole and its SHA-256 matches).")
    static final class Push implements Callable<Integer> {
        @Mixin
        private Session session;

        @Parameters(index = "0", paramLabel = "LOCAL", description = "The local file.")
        private Path local;

        @Parameters(index = "1", paramLabel = "AGENT:PATH", description = "Agent id, id prefix or hostname, a colon, and the absolute path on the agent.")
        private String remote;

        @Option(names = "--resume", description = "Continue an interrupted upload from where the agent's part file ends.")
        private boolean resume;

        @Option(names = {"-q", "--quiet"}, description = "No progress on stderr.")
        private boolean quiet;

        private final Terminal terminal;

        Push(Terminal terminal) {
            this.terminal = terminal;
        }

        @Override
        public Integer call() {
            Remote target = Remote.parse(remote);
            if (!Files.isRegularFile(local)) {
                throw CliException.usage("'" + local + "' is not a readable file.");
            }
            GuruClient client = session.client();
            AgentSummary agent = Agents.resolve(client, target.agent());
            String sha = sha256(local);
            long size;
            try {
                size = Files.size(local);
            } catch (IOException e) {
                throw CliException.usage("Cannot read " + local + ": " + e.getMessage());
            }
            Progress progress = new Progress(terminal, "pushing", size, quiet);
            AgentFiles.Uploaded done;
            try {
                done = resume ? client.resumeFile(agent.id(), target.path(), local, sha, progress)
                        : client.pushFile(agent.id(), target.path(), local, 0, sha, progress);
            } catch (GuruClient.OffsetMismatchException e) {
                throw new CliException(ExitCode.API_ERROR, "the agent's part file changed during the resume: " + e.getMessage()
                        + " Run the push again.");
            } finally {
                progress.end();
            }
            if (!sha.equals(done.sha256())) {
                throw new CliException(ExitCode.API_ERROR, "the agent reports SHA-256 " + done.sha256() + " for " + done.path()
                        + ", not the local " + sha + ".");
            }
            terminal.out().println("pushed " + local + " to " + ControlChars.escape(agent.hostname()) + ":" + ControlChars.escape(done.path())
                    + " (" + done.size() + " bytes, sha256 " + done.sha256() + (done.offset() > 0 ? ", resumed at " + done.offset() : "") + ")");
            terminal.out().flush();
            return ExitCode.OK;
        }
    }

    @Command(name = "pull", mixinStandardHelpOptions = true, description = "Download PATH from AGENT to LOCAL (written as LOCAL.gururmm-part, renamed once its SHA-256 matches).")
    static final class Pull implements Callable<Integer> {
        @Mixin
        private Session session;

        @Parameters(index = "0", paramLabel = "AGENT:PATH", description = "Agent id, id prefix or hostname, a colon, and the absolute path on the agent.")
        private String remote;

        @Parameters(index = "1", paramLabel = "LOCAL", description = "Where to write the file (a directory: the remote file's name inside it).")
        private Path local;

        @Option(names = "--resume", description = "Continue an interrupted download from the end of LOCAL.gururmm-part.")
        private boolean resume;

        @Option(names = {"-q", "--quiet"}, description = "No progress on stderr.")
        private boolean quiet;

        private final Terminal terminal;

        Pull(Terminal terminal) {
            this.terminal = terminal;
        }

        @Override
        public Integer call() {
            Remote source = Remote.parse(remote);
            Path target = local;
            if (Files.isDirectory(target)) {
                String name = source.path().substring(Math.max(source.path().lastIndexOf('/'), source.path().lastIndexOf('\\')) + 1);
                target = target.resolve(name);
            }
            Path part = target.resolveSibling(target.getFileName() + ".gururmm-part");
            GuruClient client = session.client();
            AgentSummary agent = Agents.resolve(client, source.agent());
            long offset = 0;
            try {
                offset = resume && Files.isRegularFile(part) ? Files.size(part) : 0;
            } catch (IOException e) {
                throw CliException.usage("Cannot read " + part + ": " + e.getMessage());
            }
            Progress[] progress = {null};
            AgentFiles.Downloaded done;
            try (OutputStream out = Files.newOutputStream(part, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    offset > 0 ? StandardOpenOption.APPEND : StandardOpenOption.TRUNCATE_EXISTING)) {
                long from = offset;
                done = client.pullFile(agent.id(), source.path(), out, offset, null, n -> {
                    if (progress[0] == null) {
                        progress[0] = new Progress(terminal, "pulling", -1, quiet);
                    }
                    progress[0].accept(n);
                });
                if (done.offset() != from) {
                    throw new CliException(ExitCode.API_ERROR, "the server did not resume at byte " + from + "; run the pull again without --resume.");
                }
            } catch (com.gururmm.client.GuruApiException e) {
                if ("interrupted_transfer".equals(e.code())) {
                    throw new CliException(ExitCode.UNREACHABLE, e.getMessage() + " The part kept so far is " + part
                            + "; run the same pull with --resume to continue.");
                }
                throw e;
            } catch (IOException e) {
                throw CliException.usage("Cannot write " + part + ": " + e.getMessage());
            } finally {
                if (progress[0] != null) {
                    progress[0].end();
                }
            }
            String actual = sha256(part);
            if (!actual.equals(done.sha256())) {
                try {
                    Files.deleteIfExists(part);
                } catch (IOException ignored) {
                    // reported below either way
                }
                throw new CliException(ExitCode.API_ERROR, "the downloaded copy hashes to " + actual + ", but the agent reports "
                        + done.sha256() + "; nothing was written to " + target + ". Pull it again.");
            }
            try {
                Files.move(part, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException e) {
                throw CliException.usage("Cannot rename " + part + " to " + target + ": " + e.getMessage());
            }
            terminal.out().println("pulled " + ControlChars.escape(agent.hostname()) + ":" + ControlChars.escape(source.path()) + " to " + target
                    + " (" + done.size() + " bytes, sha256 " + done.sha256() + (done.offset() > 0 ? ", resumed at " + done.offset() : "") + ")");
            terminal.out().flush();
            return ExitCode.OK;
        }
    }
}
