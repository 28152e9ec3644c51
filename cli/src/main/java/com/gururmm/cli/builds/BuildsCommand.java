package com.gururmm.cli.builds;

import com.gururmm.cli.ExitCode;
import com.gururmm.cli.config.Session;
import com.gururmm.cli.output.Output;
import com.gururmm.cli.output.Table;
import com.gururmm.protocol.api.Builds.Artifact;
import com.gururmm.protocol.api.Builds.BuildView;

import java.util.UUID;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code gururmm builds ...}: the release pipeline's builds (docs/RELEASES.md, "Release pipeline"). Admins only. */
@Command(name = "builds", mixinStandardHelpOptions = true,
        description = {"The release pipeline's builds: status, components, duration, what each published, and the log.",
                "Builds are started by the forge's push webhook; an admin reads them."},
        subcommands = {BuildsCommand.ListBuilds.class, BuildsCommand.ShowBuild.class},
        footerHeading = "%nExamples:%n",
        footer = {"  gururmm builds list", "  gururmm builds show 0b7c...   # manifest and the end of the log",
                "  gururmm builds show 0b7c... --log | less"})
public final class BuildsCommand {

    @Command(name = "list", aliases = "ls", mixinStandardHelpOptions = true, description = "List builds, newest first.")
    static final class ListBuilds implements Callable<Integer> {
        @Mixin
        private Session session;

        @Mixin
        private Output output;

        @Option(names = "--limit", defaultValue = "50", description = "How many builds (1 to 1000; default ${DEFAULT-VALUE}).")
        private int limit;

        @Override
        public Integer call() {
            java.util.List<BuildView> builds = session.client().builds(limit);
            output.print(builds, () -> {
                Table table = Table.of("ID", "STATUS", "COMMIT", "COMPONENTS", "DURATION", "CREATED", "ERROR");
                builds.forEach(b -> table.row(b.id(), b.status(), shortCommit(b.commit()), String.join(" ", b.components()),
                        duration(b.durationMs()), b.createdAt(), b.error()));
                return table;
            });
            return ExitCode.OK;
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true,
            description = {"One build: its manifest (what it published, with SHA-256) and the end of its log.",
                    "The exit code is 0 for a build that succeeded or was skipped, 1 otherwise (a script can wait on it)."})
    static final class ShowBuild implements Callable<Integer> {
        @Mixin
        private Session session;

        @Mixin
        private Output output;

        @Parameters(index = "0", paramLabel = "ID", description = "The build's id (gururmm builds list).")
        private UUID id;

        @Option(names = "--log", description = "Print only the build log (its last 1 MiB).")
        private boolean logOnly;

        @Override
        public Integer call() {
            BuildView b = session.client().build(id);
            if (logOnly) {
                output.out().print(b.log() == null ? "" : b.log());
                output.out().flush();
            } else {
                output.print(b, () -> {
                    Table table = Table.fields()
                            .row("id", b.id())
                            .row("status", b.status())
                            .row("commit", b.commit())
                            .row("before", b.beforeCommit())
                            .row("ref", b.ref())
                            .row("source", b.source())
                            .row("pusher", b.pusher())
                            .row("components", String.join(" ", b.components()))
                            .row("version", b.manifest() == null ? null : b.manifest().version())
                            .row("duration", duration(b.durationMs()))
                            .row("node", b.node())
                            .row("error", b.error());
                    if (b.manifest() != null) {
                        for (Artifact a : b.manifest().artifacts()) {
                            table.row(a.published() ? "published" : "artifact", a.file() + "  sha256 " + a.sha256()
                                    + (a.channel() == null ? "" : "  channel " + a.channel()));
                        }
                    }
                    table.row("log", b.log() == null ? null : "\n" + tail(b.log(), 40));
                    return table;
                });
            }
            return b.status().equals("succeeded") || b.status().equals("skipped") ? ExitCode.OK : ExitCode.API_ERROR;
        }
    }

    private static String shortCommit(String commit) {
        return commit == null || commit.length() < 12 ? commit : commit.substring(0, 12);
    }

    private static String duration(Long ms) {
        return ms == null ? null : ms < 10_000 ? ms + " ms" : (ms / 1000) + " s";
    }

    private static String tail(String log, int lines) {
        java.util.List<String> all = log.lines().toList();
        return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    }

    private BuildsCommand() {
    }
}
