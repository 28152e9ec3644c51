package com.gururmm.cli.releases;

import com.gururmm.cli.ExitCode;
import com.gururmm.cli.config.Session;
import com.gururmm.cli.output.Output;
import com.gururmm.protocol.api.Releases.ReleaseView;
import com.gururmm.protocol.release.ReleaseName;
import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/**
 * {@code POST /api/releases/{file}/channel}, shared by {@code promote} and {@code demote}: the
 * same as writing the build's {@code .channel} sidecar by hand.
 */
abstract class ChannelChange implements Callable<Integer> {
    @Mixin
    private Session session;

    @Mixin
    private Output output;

    @Parameters(paramLabel = "FILE", converter = ReleaseFileNames.class,
            description = "The build's name as 'releases list' shows it, e.g. gururmm-agent-linux-amd64-1.2.3.jar.")
    private ReleaseName release;

    abstract Channel channel();

    @Override
    public Integer call() {
        ReleaseView changed = session.client().setReleaseChannel(release.fileName(), channel().name());
        output.print(changed, () -> ReleaseTables.one(changed));
        return ExitCode.OK;
    }
}
