package com.gururmm.cli.releases;

import picocli.CommandLine.Command;

/** Tags a build {@code stable}: stable agents and fresh installs of its platform get it. */
@Command(name = "promote", mixinStandardHelpOptions = true,
        description = "Move a build to stable (admin): every agent of its platform is offered it.",
        footerHeading = "%nExamples:%n",
        footer = {"  gururmm releases promote gururmm-agent-linux-amd64-1.2.3.jar"})
public final class ReleasesPromoteCommand extends ChannelChange {
    @Override
    Channel channel() {
        return Channel.stable;
    }
}
