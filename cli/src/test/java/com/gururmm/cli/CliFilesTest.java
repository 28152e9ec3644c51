package com.gururmm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.gururmm.testkit.AgentProcess;
import com.gururmm.testkit.Fleet;
import com.gururmm.testkit.TestDatabase;
import com.gururmm.testkit.TestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code gururmm files push|pull} against a real server and agent (on this machine, so the test sees both sides). */
@Timeout(180)
class CliFilesTest {
    private static Fleet fleet;
    private static Cli cli;
    @TempDir
    static Path dir;

    @BeforeAll
    static void start() {
        fleet = new Fleet(TestServer.start(TestDatabase.Kind.H2, Map.of("GURURMM_FILES_MAX_MB", "4")));
        fleet.track(AgentProcess.create(fleet.server().url(), fleet.server().enrollmentToken()).env("GURURMM_HOSTNAME", "files01"))
                .start().awaitOnline(fleet.admin());
        cli = new Cli(dir.resolve("config"));
        Cli.Result login = cli.runWithStdin(TestServer.ADMIN_PASSWORD + "\n", "login", "--server", fleet.server().url().toString(),
                "--email", TestServer.ADMIN_EMAIL, "--password-stdin");
        assertThat(login.exitCode()).as(login.toString()).isZero();
    }

    @AfterAll
    static void stop() {
        fleet.close();
    }

    private static String sha256(byte[] data) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
    }

    @Test
    void pushThenPullCopiesTheFileExactlyWithProgressOnStderr() throws Exception {
        byte[] data = new byte[3 * 1024 * 1024 + 99];
        new Random(11).nextBytes(data);
        Path local = Files.write(dir.resolve("payload.bin"), data);
        Path remote = Files.createDirectories(dir.resolve("remote")).resolve("payload.bin");

        Cli.Result push = cli.run("files", "push", local.toString(), "files01:" + remote);
        assertThat(push.exitCode()).as(push.toString()).isZero();
        assertThat(push.out()).contains("pushed").contains("sha256 " + sha256(data)).contains(Integer.toString(data.length));
        assertThat(push.err()).contains("pushing").contains("100%");
        assertThat(Files.readAllBytes(remote)).isEqualTo(data);

        Path back = dir.resolve("back.bin");
        Cli.Result pull = cli.run("files", "pull", "files01:" + remote, back.toString());
        assertThat(pull.exitCode()).as(pull.toString()).isZero();
        assertThat(pull.out()).contains("pulled").contains("sha256 " + sha256(data));
        assertThat(pull.err()).contains("pulling");
        assertThat(Files.readAllBytes(back)).isEqualTo(data);
        assertThat(dir.resolve("back.bin.gururmm-part")).doesNotExist();

        // --resume continues a part file left by an interrupted pull.
        Path resumed = dir.resolve("resumed.bin");
        Files.write(dir.resolve("resumed.bin.gururmm-part"), java.util.Arrays.copyOf(data, 1_000_000));
        Cli.Result again = cli.run("files", "pull", "files01:" + remote, resumed.toString(), "--resume", "--quiet");
        assertThat(again.exitCode()).as(again.toString()).isZero();
        assertThat(again.out()).contains("resumed at 1000000");
        assertThat(again.err()).doesNotContain("pulling");
        assertThat(Files.readAllBytes(resumed)).isEqualTo(data);
    }

    @Test
    void refusalsHaveTheCliExitCodes() throws Exception {
        Path big = Files.write(dir.resolve("big.bin"), new byte[5 * 1024 * 1024]);
        Cli.Result tooBig = cli.run("files", "push", big.toString(), "files01:" + dir.resolve("big-remote.bin"));
        assertThat(tooBig.exitCode()).as(tooBig.toString()).isEqualTo(ExitCode.API_ERROR);
        assertThat(tooBig.err()).contains("413").contains("GURURMM_FILES_MAX_MB");

        Cli.Result missing = cli.run("files", "pull", "files01:" + dir.resolve("no-such-file"), dir.resolve("x").toString());
        assertThat(missing.exitCode()).as(missing.toString()).isEqualTo(ExitCode.API_ERROR);
        assertThat(missing.err()).contains("404");

        Cli.Result relative = cli.run("files", "push", big.toString(), "files01:relative/path");
        assertThat(relative.exitCode()).as(relative.toString()).isEqualTo(ExitCode.API_ERROR);
        assertThat(relative.err()).contains("absolute");

        Cli.Result noColon = cli.run("files", "push", big.toString(), "files01");
        assertThat(noColon.exitCode()).as(noColon.toString()).isEqualTo(ExitCode.USAGE);
        Cli.Result noLocal = cli.run("files", "push", dir.resolve("nope").toString(), "files01:/tmp/x");
        assertThat(noLocal.exitCode()).as(noLocal.toString()).isEqualTo(ExitCode.USAGE);
        Cli.Result unknownAgent = cli.run("files", "push", big.toString(), "no-such-host:/tmp/x");
        assertThat(unknownAgent.exitCode()).as(unknownAgent.toString()).isEqualTo(ExitCode.USAGE);
    }
}
