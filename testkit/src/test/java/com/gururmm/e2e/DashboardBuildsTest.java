package com.gururmm.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.gururmm.client.GuruClient;
import com.gururmm.protocol.Json;
import com.gururmm.testkit.PipelineRepo;
import com.gururmm.testkit.TestDatabase;
import com.gururmm.testkit.TestServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;

/**
 * The Builds page in a real browser: the pipeline's builds with status and components; a build
 * that fails shows its reason and log. The page refreshes by itself while a build is queued.
 */
@Timeout(180)
class DashboardBuildsTest {
    @TempDir
    Path work;

    @Test
    void theBuildsPageShowsEachBuildAndAFailedBuildsLog() throws Exception {
        PipelineRepo repo = PipelineRepo.create(work.resolve("repo"), Map.of(
                "agent", "sleep 2\necho 'error: the agent does not compile <script>alert(1)</script>' >&2\nexit 1",
                "installers", "true", "cli", "true", "server", "true", "dashboard", "true"));
        try (TestServer server = TestServer.start(TestDatabase.Kind.H2, Map.of("GURURMM_PIPELINE_SECRET_FILE",
                PipelineRepo.secretFile(work).toString(), "GURURMM_PIPELINE_REPO", repo.dir().toString()));
             DashboardBrowser browser = DashboardBrowser.open()) {
            browser.login(server.url(), TestServer.ADMIN_EMAIL, TestServer.ADMIN_PASSWORD);
            browser.await(By.id("main-nav"));
            browser.go(server.url(), "#/admin/builds");
            browser.await(By.id("builds-empty"));

            String docs = repo.commit("docs/guide.md", "words");
            UUID skipped = push(server, repo, docs);
            String agent = repo.commit("agent/src/Agent.java", "class Agent {}");
            UUID failed = push(server, repo, agent);
            browser.await(By.id("builds-refresh")).click();
            // The page keeps refreshing while the failing build runs, until it shows it failed.
            browser.awaitText(By.cssSelector("tr[data-build='" + failed + "'] .status"), "failed", Duration.ofSeconds(60));
            assertThat(browser.textContent(By.cssSelector("tr[data-build='" + skipped + "'] .status"))).isEqualTo("skipped");
            assertThat(browser.textContent(By.cssSelector("tr[data-build='" + failed + "'] .components"))).isEqualTo("agent installers");

            browser.await(By.cssSelector("tr[data-build='" + failed + "'] button.link")).click();
            browser.awaitText(By.id("build-log"), "error: the agent does not compile", Duration.ofSeconds(10));
            assertThat(browser.textContent(By.id("build-detail"))).contains(agent).contains("exit code 1");
            assertThat(browser.textContent(By.id("build-log"))).contains("<script>alert(1)</script>");
            assertThat(browser.driver.findElements(By.cssSelector("#build-log script"))).isEmpty();
            assertThat(browser.cspViolations()).isEmpty();
            assertThat(browser.pageErrors()).isEmpty();
        }
    }

    private static UUID push(TestServer server, PipelineRepo repo, String commit) throws Exception {
        String body = PipelineRepo.pushBody("refs/heads/main", repo.parent(commit), commit);
        GuruClient.RawResponse answer = PipelineRepo.deliver(server.anonymousClient(), "gitea", body, PipelineRepo.sign(body),
                UUID.randomUUID().toString());
        assertThat(answer.status()).as(answer.body()).isEqualTo(202);
        return UUID.fromString(Json.mapper().readTree(answer.body()).get("build_id").asText());
    }
}
