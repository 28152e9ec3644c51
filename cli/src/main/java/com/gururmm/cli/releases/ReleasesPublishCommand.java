package com.gururmm.cli.releases;

import com.gururmm.cli.CliException;
import com.gururmm.cli.ExitCode;
import com.gururmm.cli.config.Session;
import com.gururmm.cli.output.Output;
import com.gururmm.protocol.api.Releases.ReleaseView;
import com.gururmm.protocol.release.ReleaseName;
import java.io.FileNotFoundException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code POST /api/releases}: uploads a build with its SHA-256; the server checks the hash,
 * writes the sidecars, signs the build and moves the platform's {@code -latest} link.
 */
@Command(name = "publish", mixinStandardHelpOptions = true,
        description = {"Upload an agent build (admin).",
                "It goes on beta unless --channel stable; the server checks its SHA-256, signs it and makes it the",
                "platform's -latest build. The file name says os, arch and version:",
                "gururmm-agent-{os}-{arch}-{version}{ext}, e.g. gururmm-agent-linux-amd64-1.2.3.jar."},
        footerHeading = "%nExamples:%n",
        footer = {"  gururmm releases publish dist/gururmm-agent-linux-amd64-1.2.3.jar",
                "  gururmm releases publish agent/target/gururmm-agent.jar --as gururmm-agent-linux-arm64-1.2.3.jar",
                "  gururmm releases publish gururmm-agent-windows-amd64-1.2.3.exe --channel stable -o json"})
public final class ReleasesPublishCommand implements Callable<Integer> {
    @Mixin
    private Session session;

    @Mixin
    private Output output;

    @Parameters(paramLabel = "FILE", description = "The build to upload.")
    private Path file;

    @Option(names = "--as", paramLabel = "NAME", description = "Publish under this name instead of the file's own (e.g. a build named gururmm-agent.jar).")
    private String name;

    @Option(names = "--channel", paramLabel = "CHANNEL", defaultValue = "beta",
            description = "stable or beta (default: ${DEFAULT-VALUE}, so it soaks on beta agents first).")
    private Channel channel;

    @Override
    public Integer call() {
        BuildFile.check(file);
        ReleaseName release = ReleaseFileNames.require(name != null ? name : file.getFileName().toString());
        String sha256 = BuildFile.sha256(file);
        ReleaseView published;
        try {
            published = session.client().publishRelease(release.fileName(), file, channel.name(), sha256);
        } catch (FileNotFoundException e) {
            // Checked above; only a file removed in between gets here.
            throw CliException.usage("Build file '" + file + "' disappeared before the upload: " + e.getMessage());
        }
        output.print(published, () -> ReleaseTables.one(published));
        return ExitCode.OK;
    }
}
