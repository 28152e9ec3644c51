package com.gururmm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.gururmm.client.GuruClient;
import com.gururmm.testkit.PipelineRepo;
import com.gururmm.testkit.TestDatabase;
import com.gururmm.testkit.TestServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code gururmm builds list|show} against a real server whose pipeline builds a throwaway
 * repository: a docs-only push is skipped (exit 0), a push whose agent build fails is failed
 * (exit 1, and {@code --log} prints why).
 */
@Timeout(180)
class CliBuildsTest {
    @TempDir
    Path work;

    @TempDir
    Path config;

    @Test
    void buildsAreListedAndShownWithTheirLogAndAnExitCodeAScriptCanWaitOn() throws Exception {
        PipelineRepo repo = PipelineRepo.create(work.resolve("repo"), Map.of(
                "agent", "echo 'compiling the agent'\necho 'error: the agent does not compile' >&2\nexit 1",
                "installers", "true", "cli", "true", "server", "true", "dashboard", "true"));
        try (TestServer server = TestServer.start(TestDatabase.Kind.H2, Map.of("GURURMM_PIPELINE_SECRET_FILE",
                PipelineRepo.secretFile(work).toString(), "GURURMM_PIPELINE_REPO", repo.dir().toString()))) {
            String docs = repo.commit("docs/guide.md", "words");
            UUID skipped = push(server, repo, docs);
            String agent = repo.commit("agent/src/Agent.java", "class Agent {}");
            UUID failed = push(server, repo, agent);
            GuruClient admin = server.adminClient();
            Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> admin.build(failed).finishedAt() != null
                    && admin.build(skipped).finishedAt() != null);

            Cli cli = new Cli(config);
            assertThat(cli.runWithStdin(TestServer.ADMIN_PASSWORD, "login", "--server", server.url().toString(), "--email",
                    TestServer.ADMIN_EMAIL, "--password-stdin").exitCode()).isZero();
            Cli.Result list = cli.run("builds", "list");
            assertThat(list.exitCode()).as(list.toString()).isZero();
            assertThat(list.out()).contains("skipped").contains("failed").contains(agent.substring(0, 12)).contains("agent installers");
            JsonNode json = cli.run("builds", "list", "--output", "json").json();
            assertThat(json).hasSize(2);
            assertThat(json.get(0).get("id").asText()).isEqualTo(failed.toString());

            Cli.Result ok = cli.run("builds", "show", skipped.toString());
            assertThat(ok.exitCode()).as(ok.toString()).isZero();
            assertThat(ok.out()).contains("nothing to build");
            Cli.Result bad = cli.run("builds", "show", failed.toString());
            assertThat(bad.exitCode()).as(bad.toString()).isEqualTo(ExitCode.API_ERROR);
            assertThat(bad.out()).contains("exit code 1");
            Cli.Result log = cli.run("builds", "show", failed.toString(), "--log");
            assertThat(log.out()).contains("compiling the agent").contains("error: the agent does not compile");
            assertThat(cli.run("builds", "show", "not-a-uuid").exitCode()).isEqualTo(ExitCode.USAGE);
            assertThat(cli.run("builds", "list", "--limit", "0").exitCode()).isEqualTo(ExitCode.API_ERROR);
        }
    }

    private static UUID push(TestServer server, PipelineRepo repo, String commit) throws Exception {
        String body = PipelineRepo.pushBody("refs/heads/main", repo.parent(commit), commit);
        GuruClient.RawResponse answer = PipelineRepo.deliver(server.anonymousClient(), "github", body, PipelineRepo.sign(body),
                UUID.randomUUID().toString());
        assertThat(answer.status()).as(answer.body()).isEqualTo(202);
        return UUID.fromString(com.gururmm.protocol.Json.mapper().readTree(answer.body()).get("build_id").asText());
    }
}
