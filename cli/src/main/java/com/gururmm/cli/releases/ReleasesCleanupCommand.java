package com.gururmm.cli.releases;

import com.gururmm.cli.CliException;
import com.gururmm.cli.ExitCode;
import com.gururmm.cli.config.Session;
import com.gururmm.cli.output.Output;
import com.gururmm.cli.output.Table;
import com.gururmm.protocol.api.Releases.CleanupRequest;
import com.gururmm.protocol.api.Releases.CleanupResult;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code POST /api/releases/cleanup}. The server decides what goes, so the rules that protect
 * agents (newest stable and beta per platform, versions still running) live in one place.
 */
@Command(name = "cleanup", mixinStandardHelpOptions = true,
        description = {"Remove old builds (admin).",
                "Per platform it keeps the newest --keep versions, always the newest stable and the newest beta",
                "build, and every version an agent still runs unless --force."},
        footerHeading = "%nExamples:%n",
        footer = {"  gururmm releases cleanup --dry-run          # what would go, and why the rest stays",
                "  gururmm releases cleanup --keep 2",
                "  gururmm releases cleanup --keep 1 --force --output json"})
public final class ReleasesCleanupCommand implements Callable<Integer> {
    @Mixin
    private Session session;

    @Mixin
    private Output output;

    @Option(names = "--keep", paramLabel = "N", description = "Newest versions to keep per platform (server default: 3).")
    private Integer keep;

    @Option(names = "--force", description = "Also remove versions agents still run.")
    private boolean force;

    @Option(names = "--dry-run", description = "Only show what would be removed.")
    private boolean dryRun;

    @Override
    public Integer call() {
        if (keep != null && keep < 1) {
            throw CliException.usage("--keep is " + keep + "; keep at least the newest 1 version per platform.");
        }
        CleanupResult result = session.client().cleanupReleases(new CleanupRequest(keep, force ? true : null, dryRun ? true : null));
        output.print(result, () -> {
            Table table = Table.of("FILE", "ACTION", "REASON");
            String action = result.dryRun() ? "would remove" : "removed";
            result.removed().forEach(file -> table.row(file, action, null));
            result.kept().forEach(k -> table.row(k.file(), "kept", k.reason()));
            return table;
        });
        return ExitCode.OK;
    }
}
