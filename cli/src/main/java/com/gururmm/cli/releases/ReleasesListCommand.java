package com.gururmm.cli.releases;

import com.gururmm.cli.ExitCode;
import com.gururmm.cli.config.Session;
import com.gururmm.cli.output.Output;
import com.gururmm.protocol.api.Releases.ReleaseView;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code GET /api/releases}: every build, whether agents can be offered it, and how its rollout goes. */
@Command(name = "list", aliases = "ls", mixinStandardHelpOptions = true,
        description = {"List the agent builds with channel, rollout, signature and the agents on each.",
                "OFFERABLE no means agents are never offered the build; PROBLEMS says why."},
        footerHeading = "%nExamples:%n",
        footer = {"  gururmm releases list",
                "  gururmm releases list --output json | jq -r '.[] | select(.channel == \"beta\") | .file'"})
public final class ReleasesListCommand implements Callable<Integer> {
    @Mixin
    private Session session;

    @Mixin
    private Output output;

    @Override
    public Integer call() {
        List<ReleaseView> releases = session.client().releases();
        output.print(releases, () -> ReleaseTables.list(releases));
        return ExitCode.OK;
    }
}
