package com.gururmm.cli.releases;

import picocli.CommandLine.Command;

/** Tags a build {@code beta}: stable agents stop being offered it; those that took it keep it (no downgrade). */
@Command(name = "demote", mixinStandardHelpOptions = true,
        description = {"Move a build back to beta (admin): only beta agents are offered it from now on.",
                "Agents that already run it keep it: there is no silent downgrade."},
        footerHeading = "%nExamples:%n",
        footer = {"  gururmm releases demote gururmm-agent-windows-amd64-1.2.3.exe"})
public final class ReleasesDemoteCommand extends ChannelChange {
    @Override
    Channel channel() {
        return Channel.beta;
    }
}
