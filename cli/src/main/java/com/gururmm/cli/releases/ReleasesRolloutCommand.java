package com.gururmm.cli.releases;

import com.gururmm.cli.CliException;
import com.gururmm.cli.ExitCode;
import com.gururmm.cli.config.Session;
import com.gururmm.cli.output.Output;
import com.gururmm.protocol.api.Releases.ReleaseView;
import com.gururmm.protocol.release.ReleaseName;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code POST /api/releases/{file}/rollout}: stage a build to a share of agents, or pause and resume it. */
@Command(name = "rollout", mixinStandardHelpOptions = true,
        description = {"Offer a build to a share of agents, or pause it (admin).",
                "--percent N offers it to N%% of agents, chosen by a stable hash of agent and version, so raising N",
                "only adds agents. A paused build is offered to nobody. --resume also lifts an automatic pause after",
                "too many failed updates; 'releases list -o json' shows the reason (rollout.pause_reason)."},
        footerHeading = "%nExamples:%n",
        footer = {"  gururmm releases rollout gururmm-agent-linux-amd64-1.2.3.jar --percent 10",
                "  gururmm releases rollout gururmm-agent-linux-amd64-1.2.3.jar --pause",
                "  gururmm releases rollout gururmm-agent-linux-amd64-1.2.3.jar --resume --percent 100"})
public final class ReleasesRolloutCommand implements Callable<Integer> {
    @Mixin
    private Session session;

    @Mixin
    private Output output;

    @Parameters(paramLabel = "FILE", converter = ReleaseFileNames.class, description = "The build's name, e.g. gururmm-agent-linux-amd64-1.2.3.jar.")
    private ReleaseName release;

    @Option(names = "--percent", paramLabel = "N", description = "Share of agents (0-100) offered the build.")
    private Integer percent;

    @ArgGroup(exclusive = true)
    private Pause pause;

    /** {@code --pause} and {@code --resume} together make no sense; picocli refuses the pair. */
    static final class Pause {
        @Option(names = "--pause", required = true, description = "Offer the build to nobody until resumed.")
        boolean pause;

        @Option(names = "--resume", required = true, description = "Offer it again (also after an automatic pause).")
        boolean resume;
    }

    @Override
    public Integer call() {
        if (percent == null && pause == null) {
            throw CliException.usage("Say what to change: --percent N, --pause or --resume.");
        }
        if (percent != null && (percent < 0 || percent > 100)) {
            throw CliException.usage("--percent is " + percent + "; it must be between 0 and 100.");
        }
        Boolean paused = pause == null ? null : pause.pause;
        ReleaseView changed = session.client().setReleaseRollout(release.fileName(), percent, paused);
        output.print(changed, () -> ReleaseTables.one(changed));
        return ExitCode.OK;
    }
}
