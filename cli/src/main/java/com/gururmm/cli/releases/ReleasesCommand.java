package com.gururmm.cli.releases;

import picocli.CommandLine.Command;

/** {@code gururmm releases ...}: the agent builds in the server's downloads dir (docs/RELEASES.md). */
@Command(name = "releases", mixinStandardHelpOptions = true,
        description = {"Publish agent builds, soak them on beta, promote them to stable, stage and clean them up.",
                "Reading is for every role; every change needs an admin."},
        subcommands = {ReleasesListCommand.class, ReleasesPublishCommand.class, ReleasesPromoteCommand.class,
                ReleasesDemoteCommand.class, ReleasesRolloutCommand.class, ReleasesCleanupCommand.class},
        footerHeading = "%nExamples:%n",
        footer = {"  gururmm releases publish build/gururmm-agent-linux-amd64-1.2.3.jar     # on beta",
                "  gururmm releases list",
                "  gururmm releases promote gururmm-agent-linux-amd64-1.2.3.jar",
                "  gururmm releases rollout gururmm-agent-linux-amd64-1.2.3.jar --percent 10",
                "  gururmm releases cleanup --keep 3 --dry-run"})
public final class ReleasesCommand {
}
