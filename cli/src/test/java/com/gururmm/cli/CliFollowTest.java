package com.gururmm.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.gururmm.client.GuruClient;
import com.gururmm.protocol.api.Commands.CommandView;
import com.gururmm.testkit.AgentProcess;
import com.gururmm.testkit.Fleet;
import com.gururmm.testkit.TestDatabase;
import com.gururmm.testkit.TestServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code gururmm run --follow}, the real CLI against a real server and real agent processes:
 * {@code live01} streams with the defaults, {@code capped01} streams at most 16 KiB per command.
 */
@Timeout(300)
class CliFollowTest {
    private static Fleet fleet;
    private static Cli cli;

    @BeforeAll
    static void startFleetAndLogIn(@TempDir Path dir) {
        fleet = Fleet.start(TestDatabase.Kind.H2);
        GuruClient admin = fleet.admin();
        String token = fleet.server().enrollmentToken();
        fleet.track(AgentProcess.create(fleet.server().url(), token).env("GURURMM_HOSTNAME", "live01")).start().awaitOnline(admin);
        fleet.track(AgentProcess.create(fleet.server().url(), token).env("GURURMM_HOSTNAME", "capped01")
                .env("GURURMM_OUTPUT_STREAM_MAX_KB", "16")).start().awaitOnline(admin);
        cli = new Cli(dir.resolve("config"));
        Cli.Result login = cli.runWithStdin(TestServer.ADMIN_PASSWORD + "\n",
                "login", "--server", fleet.server().url().toString(), "--email", TestServer.ADMIN_EMAIL, "--password-stdin");
        assertThat(login.exitCode()).as(login.toString()).isZero();
    }

    @AfterAll
    static void stopFleet() {
        if (fleet != null) {
            fleet.close();
        }
    }

    @Test
    void outputIsPrintedLineByLineWhileTheScriptRunsAndTheExitCodeIsTheRemoteOne() throws Exception {
        Cli.Running run = cli.start("run", "--agent", "live01", "--type", "bash", "--follow",
                "--command", "for i in 1 2 3; do echo $i; echo e$i >&2; sleep 2; done; exit 7");
        // "1" is printed while the script still sleeps before "3": live, not at the end.
        await().atMost(Duration.ofSeconds(60)).until(() -> run.out().toString().contains("1\n"));
        assertThat(run.exit()).isNotDone();
        assertThat(run.out().toString()).doesNotContain("3");
        Cli.Result result = run.await(Duration.ofSeconds(90));
        assertThat(result.exitCode()).as(result.toString()).isEqualTo(7);
        // Each line exactly once, on its own stream, in order.
        assertThat(result.out()).isEqualTo("1\n2\n3\n");
        assertThat(result.err()).contains("e1\ne2\ne3\n").containsOnlyOnce("e1").containsOnlyOnce("e3");
        assertThat(result.err()).contains("exit code 7");
    }

    @Test
    void pastTheStreamingCapTheRestOfTheStoredResultIsPrintedOnce() throws Exception {
        Cli.Result result = cli.start("run", "--agent", "capped01", "--type", "bash", "--follow", "--quiet",
                "--command", "for i in $(seq 1 5000); do echo \"line $i\"; done").await(Duration.ofSeconds(120));
        assertThat(result.exitCode()).as(result.err()).isZero();
        StringBuilder expected = new StringBuilder();
        for (int i = 1; i <= 5000; i++) {
            expected.append("line ").append(i).append('\n');
        }
        // 16 KiB came live, the rest from the stored result: together exactly the script's output.
        assertThat(result.out()).isEqualTo(expected.toString());
        assertThat(result.err()).isEmpty();
        CommandView last = fleet.admin().agentCommands(agentId("capped01"), null, 1).getFirst();
        assertThat(fleet.admin().commandOutput(last.id(), 0).chunks()).anySatisfy(c -> assertThat(c.stopped()).isEqualTo("cap"));
    }

    @Test
    void followNeedsOneAgentAndNoJson() {
        Cli.Result many = cli.run("run", "--agent", "live01", "--agent", "capped01", "--type", "sh", "--command", "true", "--follow");
        assertThat(many.exitCode()).isEqualTo(ExitCode.USAGE);
        assertThat(many.err()).contains("--follow").contains("one --agent");
        Cli.Result json = cli.run("run", "--agent", "live01", "--type", "sh", "--command", "true", "--follow", "--output", "json");
        assertThat(json.exitCode()).isEqualTo(ExitCode.USAGE);
        assertThat(json.err()).contains("--output json");
    }

    private static UUID agentId(String hostname) {
        List<com.gururmm.protocol.api.Agents.AgentSummary> agents = fleet.admin().agents();
        return agents.stream().filter(a -> a.hostname().equals(hostname)).findFirst().orElseThrow().id();
    }
}
