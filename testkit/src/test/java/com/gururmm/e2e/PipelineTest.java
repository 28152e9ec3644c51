package com.gururmm.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.gururmm.client.GuruClient;
import com.gururmm.protocol.Json;
import com.gururmm.protocol.Platform;
import com.gururmm.protocol.api.Builds.Artifact;
import com.gururmm.protocol.api.Builds.BuildView;
import com.gururmm.protocol.api.Releases.ReleaseView;
import com.gururmm.testkit.AgentProcess;
import com.gururmm.testkit.PipelineRepo;
import com.gururmm.testkit.TestDatabase;
import com.gururmm.testkit.TestServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The release pipeline end to end (SPEC section 8): signed GitHub- and Gitea-style push webhooks
 * against a throwaway git repository, built by that repository's own scripts.
 *
 * <p>The throwaway repository carries the project's real {@code build.sh}, {@code gate.sh} and
 * {@code components.conf} (copied from {@code deploy/build-pipeline/}), so the change gate and the
 * build driver under test are the ones that ship. Its {@code build-<component>.sh} scripts are the
 * test's own: they copy a prepared build instead of running Maven (a real agent jar, stamped with
 * the version build.sh chose), so a build takes a second rather than minutes.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class PipelineTest {
    private static final String PLATFORM = Platform.currentOs() + "-" + Platform.currentArch();
    private static final Duration BUILD_WAIT = Duration.ofSeconds(90);

    @TempDir
    Path work;
    private PipelineRepo repo;
    private Path fixtures;
    private TestServer server;
    private GuruClient admin;
    private final List<AgentProcess> agents = new ArrayList<>();

    @BeforeEach
    void startServerAndRepository() throws Exception {
        fixtures = work.resolve("fixtures");
        Files.createDirectories(fixtures);
        makeRepository();
        server = TestServer.start(TestDatabase.Kind.H2, Map.of("GURURMM_PIPELINE_SECRET_FILE", PipelineRepo.secretFile(work).toString(),
                "GURURMM_PIPELINE_REPO", repo.dir().toString(), "GURURMM_PIPELINE_BRANCH", "main"));
        admin = server.adminClient();
    }

    @AfterEach
    void stop() {
        agents.forEach(AgentProcess::close);
        if (server != null) {
            server.close();
        }
    }

    @Test
    void aSignedGitHubPushLandsOnBetaSignedAndABetaAgentUpdatesToIt() throws Exception {
        AgentProcess agent = AgentProcess.create(server.url(), server.enrollmentToken())
                .env("GURURMM_RELEASE_PUBLIC_KEY", admin.releaseSigningKey().publicKey())
                .env("GURURMM_CHANNEL", "beta")
                .env("GURURMM_UPDATE_DEADLINE_SECONDS", "60")
                .startLauncher(ReleaseBuilds.withVersion("1.0.0", work.resolve("agent-1.0.0.jar")));
        agents.add(agent);
        UUID agentId = agent.awaitOnline(admin);

        String commit = commit("agent/src/Agent.java", "class Agent { int v = 2; }");
        String version = preparedAgentFor(commit);
        String body = pushBody("refs/heads/main", before(commit), commit);
        GuruClient.RawResponse queued = webhook("github", body, sign(body), "delivery-" + UUID.randomUUID());
        assertThat(queued.status()).as(queued.body()).isEqualTo(202);
        UUID buildId = UUID.fromString(Json.mapper().readTree(queued.body()).get("build_id").asText());

        BuildView build = awaitBuild(buildId);
        assertThat(build.status()).as(build.log()).isEqualTo("succeeded");
        assertThat(build.components()).containsExactly("agent", "installers");
        assertThat(build.commit()).isEqualTo(commit);
        assertThat(build.source()).isEqualTo("github");
        assertThat(build.durationMs()).isNotNull().isPositive();
        assertThat(build.log()).contains("==> building agent").contains("==> building installers");
        assertThat(build.manifest().commit()).isEqualTo(commit);
        assertThat(build.manifest().version()).isEqualTo(version);

        String agentFile = "gururmm-agent-" + PLATFORM + "-" + version + ".jar";
        String deb = "gururmm-agent_" + version + "_amd64.deb";
        Path downloads = server.dataDir().resolve("downloads");
        assertThat(build.manifest().artifacts()).extracting(Artifact::file).containsExactlyInAnyOrder(agentFile, deb);
        for (Artifact artifact : build.manifest().artifacts()) {
            assertThat(artifact.published()).isTrue();
            assertThat(sha256(downloads.resolve(artifact.file()))).isEqualTo(artifact.sha256());
            assertThat(Files.readString(downloads.resolve(artifact.file() + ".sha256"))).isEqualTo(artifact.sha256() + "  " + artifact.file() + "\n");
        }
        assertThat(Files.readString(downloads.resolve(agentFile + ".channel")).strip()).isEqualTo("beta");
        assertThat(Files.readSymbolicLink(downloads.resolve("gururmm-agent-" + PLATFORM + "-latest.jar")).toString()).isEqualTo(agentFile);
        ReleaseView release = admin.releases().stream().filter(r -> r.file().equals(agentFile)).findFirst().orElseThrow();
        assertThat(release.channel()).isEqualTo("beta");
        assertThat(release.signed()).isTrue();

        // The agent on beta takes it: the signature verified with the server's release key, the new version reports in.
        Awaitility.await("agent at " + version + " (log: " + agent.log() + ")").atMost(Duration.ofSeconds(120))
                .pollInterval(Duration.ofMillis(500))
                .until(() -> admin.agent(agentId).status().equals("online") && version.equals(admin.agent(agentId).version()));

        // A replay is refused: the same delivery, and the same signed body under a new delivery id.
        GuruClient.RawResponse again = webhook("github", body, sign(body), "delivery-" + UUID.randomUUID());
        assertThat(again.status()).as(again.body()).isEqualTo(409);
        assertThat(again.body()).contains("replayed");
        assertThat(admin.builds(100)).hasSize(1);
        assertThat(admin.audit()).extracting(a -> a.action()).contains("pipeline.build_queued", "pipeline.build_succeeded",
                "pipeline.webhook_replayed", "release.publish");
    }

    @Test
    void theChangeGateBuildsExactlyWhatChangedOneBuildAtATime() throws Exception {
        Map<String, List<String>> expected = new LinkedHashMap<>();
        Map<String, UUID> builds = new LinkedHashMap<>();
        List<String[]> changes = List.of(
                new String[] {"docs/guide.md", "docs only", ""},
                new String[] {"packaging/linux/gururmm-agent.service", "installer paths", "installers"},
                new String[] {"server/src/main/java/Server.java", "server", "server"},
                new String[] {"server/src/main/resources/dashboard/app.js", "dashboard", "dashboard"},
                new String[] {"client/src/Client.java", "client library", "cli installers"},
                new String[] {"server/src/test/java/ServerTest.java", "tests only", ""},
                new String[] {"brand-new-dir/file.txt", "an unknown path", "agent cli server dashboard installers"});
        // Pushed one after another without waiting: they queue and run one at a time, in order.
        for (String[] change : changes) {
            String commit = commit(change[0], "changed " + UUID.randomUUID());
            preparedAgentFor(commit);
            String body = pushBody("refs/heads/main", before(commit), commit);
            GuruClient.RawResponse queued = webhook("gitea", body, sign(body), UUID.randomUUID().toString());
            assertThat(queued.status()).as(change[1] + ": " + queued.body()).isEqualTo(202);
            UUID id = UUID.fromString(Json.mapper().readTree(queued.body()).get("build_id").asText());
            builds.put(change[1], id);
            expected.put(change[1], change[2].isEmpty() ? List.of() : List.of(change[2].split(" ")));
        }
        List<BuildView> done = new ArrayList<>();
        for (Map.Entry<String, UUID> entry : builds.entrySet()) {
            BuildView build = awaitBuild(entry.getValue());
            assertThat(build.components()).as(entry.getKey()).containsExactlyElementsOf(expected.get(entry.getKey()));
            assertThat(build.status()).as(entry.getKey() + ": " + build.log())
                    .isEqualTo(expected.get(entry.getKey()).isEmpty() ? "skipped" : "succeeded");
            assertThat(build.source()).isEqualTo("gitea");
            done.add(build);
        }
        for (int i = 1; i < done.size(); i++) {
            assertThat(done.get(i).startedAt()).as("build %d started after build %d finished", i, i - 1)
                    .isAfterOrEqualTo(done.get(i - 1).finishedAt());
        }
        // What each built: the docs-only and tests-only builds published nothing; the server build kept its jar as an artifact.
        assertThat(admin.build(builds.get("docs only")).manifest()).isNull();
        List<Artifact> serverArtifacts = admin.build(builds.get("server")).manifest().artifacts();
        assertThat(serverArtifacts).singleElement().satisfies(a -> {
            assertThat(a.file()).startsWith("gururmm-server-");
            assertThat(a.published()).isFalse();
        });
        assertThat(admin.build(builds.get("installer paths")).manifest().artifacts()).extracting(Artifact::file)
                .singleElement().satisfies(f -> assertThat(f).endsWith("_amd64.deb"));
    }

    @Test
    void badWebhooksAreRefusedAndAFailedBuildPublishesNothing() throws Exception {
        String commit = commit("agent/src/Agent.java", "class Agent { int v = 3; }");
        preparedAgentFor(commit);
        String body = pushBody("refs/heads/main", before(commit), commit);

        assertRefused(webhook("github", body, null, "d-1"), 401, "not signed");
        assertRefused(webhook("github", body, "sha256=" + "0".repeat(64), "d-2"), 401, "does not match");
        assertRefused(webhook("github", body, "sha1=abc", "d-3"), 401, "sha256=");
        assertRefused(webhook("gitea", body, "not-hex", "d-4"), 401, "not hex");
        assertRefused(webhook("github", body, sign(body + " "), "d-5"), 401, "does not match");
        assertRefused(webhook("github", body, sign(body), null), 400, "delivery id");
        String notJson = "{\"ref\": ";
        assertRefused(webhook("github", notJson, sign(notJson), "d-6"), 400, "not JSON");
        String noCommit = "{\"ref\":\"refs/heads/main\",\"after\":\"main\"}";
        assertRefused(webhook("github", noCommit, sign(noCommit), "d-7"), 400, "40-digit");
        String other = pushBody("refs/heads/feature", before(commit), commit);
        GuruClient.RawResponse ignored = webhook("github", other, sign(other), "d-8");
        assertThat(ignored.status()).as(ignored.body()).isEqualTo(200);
        assertThat(ignored.body()).contains("ignored").contains("refs/heads/feature");
        assertThat(admin.builds(100)).isEmpty();

        // A good build first: the last build that published is what later builds diff against.
        String good = commit;
        String goodBody = pushBody("refs/heads/main", before(good), good);
        BuildView published = awaitBuild(buildId(webhook("github", goodBody, sign(goodBody), "d-good")));
        assertThat(published.status()).as(published.log()).isEqualTo("succeeded");

        // A build that fails half-way (it made the agent build, then its installer step failed) publishes nothing.
        List<String> releasesBefore = admin.releases().stream().map(ReleaseView::file).toList();
        List<String> downloadsBefore = listing(server.dataDir().resolve("downloads"));
        Files.writeString(fixtures.resolve("fail-installers"), "yes\n");
        String broken = repo.commit("agent/src/Agent.java", "class Agent { int v = 4; }");
        preparedAgentFor(broken);
        String brokenBody = pushBody("refs/heads/main", before(broken), broken);
        BuildView failed = awaitBuild(buildId(webhook("github", brokenBody, sign(brokenBody), "d-9")));
        assertThat(failed.status()).isEqualTo("failed");
        assertThat(failed.components()).as("what the gate chose, recorded for a failed build too").containsExactly("agent", "installers");
        assertThat(failed.error()).contains("exit code 3");
        assertThat(failed.log()).contains("installer step failed on purpose").contains("==> build failed");
        assertThat(failed.manifest()).isNull();
        assertThat(admin.releases().stream().map(ReleaseView::file).toList()).isEqualTo(releasesBefore);
        assertThat(listing(server.dataDir().resolve("downloads"))).isEqualTo(downloadsBefore);

        // The installers are fixed elsewhere; the next push changes only docs, and still builds the failed change.
        Files.delete(fixtures.resolve("fail-installers"));
        String docsOnly = repo.commit("docs/notes.md", "words");
        String docsVersion = preparedAgentFor(docsOnly);
        String docsBody = pushBody("refs/heads/main", before(docsOnly), docsOnly);
        BuildView catchUp = awaitBuild(buildId(webhook("github", docsBody, sign(docsBody), "d-docs")));
        assertThat(catchUp.status()).as(catchUp.log()).isEqualTo("succeeded");
        assertThat(catchUp.components()).containsExactly("agent", "installers");
        assertThat(catchUp.log()).contains("change gate base: " + good);
        assertThat(admin.releases()).extracting(ReleaseView::version).contains(docsVersion);

        // A commit the repository does not have fails clearly, and a non-admin cannot read builds.
        String missing = "1234567890abcdef1234567890abcdef12345678";
        String missingBody = pushBody("refs/heads/main", null, missing);
        GuruClient.RawResponse q2 = webhook("gitea", missingBody, sign(missingBody), "d-10");
        BuildView unknown = awaitBuild(UUID.fromString(Json.mapper().readTree(q2.body()).get("build_id").asText()));
        assertThat(unknown.status()).isEqualTo("failed");
        assertThat(unknown.error()).contains("checking out " + missing);
        admin.createUser("pipeline-viewer@example.test", "viewer-password-123", "viewer");
        GuruClient viewer = server.anonymousClient();
        viewer.login("pipeline-viewer@example.test", "viewer-password-123");
        assertThat(viewer.raw("GET", "/api/builds", null, Map.of()).status()).isEqualTo(403);
    }

    @Test
    void withoutASecretThePipelineIsOff() throws Exception {
        try (TestServer plain = TestServer.start(TestDatabase.Kind.H2)) {
            String body = pushBody("refs/heads/main", null, "a".repeat(40));
            GuruClient.RawResponse response = plain.anonymousClient().raw("POST", "/api/pipeline/webhook", body,
                    Map.of("X-Hub-Signature-256", sign(body), "X-GitHub-Event", "push", "X-GitHub-Delivery", "x", "Content-Type", "application/json"));
            assertRefused(response, 404, "GURURMM_PIPELINE_SECRET_FILE");
        }
        // On, but its secret file went missing: every delivery is refused with 503 (was a 500), nothing queued.
        try (TestServer broken = TestServer.start(TestDatabase.Kind.H2, Map.of("GURURMM_PIPELINE_SECRET_FILE",
                work.resolve("no-such-secret").toString(), "GURURMM_PIPELINE_REPO", repo.dir().toString()))) {
            String body = pushBody("refs/heads/main", null, "a".repeat(40));
            GuruClient.RawResponse response = PipelineRepo.deliver(broken.anonymousClient(), "github", body, sign(body), "x");
            assertRefused(response, 503, "pipeline_misconfigured");
            assertThat(broken.adminClient().builds(10)).isEmpty();
        }
    }

    // ---- the throwaway repository and the forge ------------------------------------------------

    /** The shipped driver with the test's component scripts: they copy a prepared agent build, or write stand-in files. */
    private void makeRepository() throws Exception {
        String artifacts = "\"$GURURMM_BUILD_OUT/artifacts\"";
        Map<String, String> components = new LinkedHashMap<>();
        components.put("agent", "cp '" + fixtures + "/agent-'\"$GURURMM_BUILD_VERSION\"'.jar' " + artifacts + "/gururmm-agent-" + PLATFORM
                + "-\"$GURURMM_BUILD_VERSION\".jar");
        components.put("installers", "echo 'packing the installers'\n"
                + "if [ -f '" + fixtures + "/fail-installers' ]; then echo 'installer step failed on purpose' >&2; exit 3; fi\n"
                + "echo deb > " + artifacts + "/gururmm-agent_\"$GURURMM_BUILD_VERSION\"_amd64.deb");
        components.put("server", "echo jar > " + artifacts + "/gururmm-server-\"$GURURMM_BUILD_VERSION\".jar");
        components.put("dashboard", "echo jar > " + artifacts + "/gururmm-server-\"$GURURMM_BUILD_VERSION\".jar");
        components.put("cli", "echo jar > " + artifacts + "/gururmm-cli-\"$GURURMM_BUILD_VERSION\".jar");
        repo = PipelineRepo.create(work.resolve("repo"), components);
    }

    private String commit(String path, String content) throws Exception {
        return repo.commit(path, content);
    }

    private String before(String commit) {
        return repo.parent(commit);
    }

    /** The real agent jar, stamped with the version build.sh gives {@code commit}. */
    private String preparedAgentFor(String commit) throws Exception {
        String version = repo.versionOf(commit);
        ReleaseBuilds.withVersion(version, fixtures.resolve("agent-" + version + ".jar"));
        return version;
    }

    private static String pushBody(String ref, String before, String after) {
        return PipelineRepo.pushBody(ref, before, after);
    }

    private static String sign(String body) {
        return PipelineRepo.sign(body);
    }

    private GuruClient.RawResponse webhook(String style, String body, String signature, String delivery) {
        return PipelineRepo.deliver(server.anonymousClient(), style, body, signature, delivery);
    }

    private static UUID buildId(GuruClient.RawResponse queued) throws Exception {
        assertThat(queued.status()).as(queued.body()).isEqualTo(202);
        return UUID.fromString(Json.mapper().readTree(queued.body()).get("build_id").asText());
    }

    private BuildView awaitBuild(UUID id) {
        Awaitility.await("build " + id).atMost(BUILD_WAIT).pollInterval(Duration.ofMillis(200))
                .until(() -> List.of("succeeded", "failed", "skipped").contains(admin.build(id).status()));
        return admin.build(id);
    }

    private static void assertRefused(GuruClient.RawResponse response, int status, String mentions) {
        assertThat(response.status()).as(response.body()).isEqualTo(status);
        assertThat(response.body()).contains(mentions);
    }

    private static String sha256(Path file) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
    }

    private static List<String> listing(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
