package com.gururmm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.gururmm.testkit.AgentProcess;
import com.gururmm.testkit.Fleet;
import com.gururmm.testkit.TestDatabase;
import com.gururmm.testkit.TestServer;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code gururmm shell AGENT} against a real server and agent: input piped, output and the remote exit status back. */
class CliShellTest {
    private static Fleet fleet;
    private static Cli cli;

    @BeforeAll
    static void start(@TempDir Path dir) {
        fleet = Fleet.start(TestDatabase.Kind.H2);
        fleet.track(AgentProcess.create(fleet.server().url(), fleet.server().enrollmentToken()).env("GURURMM_HOSTNAME", "shell01"))
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

    @Test
    void theRemoteShellsExitStatusIsTheCommandsExitStatus() {
        Cli.Result result = cli.runWithStdin("stty -echo; echo $((6*7))\nexit 3\n", "shell", "shell01");
        assertThat(result.exitCode()).as(result.toString()).isEqualTo(3);
        assertThat(result.out()).containsPattern("(?m)^42\\r?$");
    }

    @Test
    void anUnknownAgentIsAUsageError() {
        Cli.Result result = cli.run("shell", "no-such-host");
        assertThat(result.exitCode()).as(result.toString()).isEqualTo(ExitCode.USAGE);
    }
}
