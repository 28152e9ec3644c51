package com.gururmm.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.gururmm.client.GuruApiException;
import com.gururmm.client.GuruClient;
import com.gururmm.protocol.api.Agents.EnrollRequest;
import com.gururmm.protocol.api.Releases.CleanupRequest;
import com.gururmm.protocol.api.Releases.CleanupResult;
import com.gururmm.protocol.api.Releases.ReleaseView;
import com.gururmm.protocol.release.ReleaseName;
import com.gururmm.protocol.release.ReleaseSignature;
import com.gururmm.testkit.TestDatabase;
import com.gururmm.testkit.TestServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/** {@code /api/releases} and {@code /downloads} on a real server and a real downloads dir, on H2 and PostgreSQL. */
@ParameterizedClass
@EnumSource(TestDatabase.Kind.class)
class ReleaseApiTest {
    private static final String B1 = "gururmm-agent-linux-amd64-1.1.0.jar";

    @Parameter
    TestDatabase.Kind kind;
    private TestServer server;
    private GuruClient admin;
    private Path downloads;

    @BeforeEach
    void start() {
        server = TestServer.start(kind);
        admin = server.adminClient();
        downloads = server.server().config().downloadsDir();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    @Test
    void publishWritesBuildAndSidecarsOnBetaAndPromoteMakesItStable() throws Exception {
        byte[] build = "a real build's bytes".getBytes(StandardCharsets.UTF_8);
        ReleaseView published = admin.publishRelease(B1, build, null);
        assertThat(published.channel()).isEqualTo("beta");
        assertThat(published.sha256()).isEqualTo(sha256(build));
        assertThat(published.signed()).isTrue();
        assertThat(Files.readAllBytes(downloads.resolve(B1))).isEqualTo(build);
        assertThat(Files.readString(downloads.resolve(B1 + ".sha256"))).isEqualTo(sha256(build) + "  " + B1 + "\n");
        assertThat(Files.readString(downloads.resolve(B1 + ".channel")).trim()).isEqualTo("beta");
        assertThat(Files.readSymbolicLink(downloads.resolve("gururmm-agent-linux-amd64-latest.jar")).toString()).isEqualTo(B1);
        // The signature verifies with the published key over exactly name, version, platform and hash.
        String sig = Files.readString(downloads.resolve(B1 + ".sig")).trim();
        var key = ReleaseSignature.publicKey(admin.releaseSigningKey().publicKey());
        assertThat(ReleaseSignature.verify(key, ReleaseSignature.message(B1, "1.1.0", "linux", "amd64", sha256(build)), sig)).isTrue();

        assertThat(admin.releases()).extracting(ReleaseView::file).containsExactly(B1);
        assertThat(admin.latestRelease("linux", "amd64", "beta").file()).isEqualTo(B1);
        assertThatThrownBy(() -> admin.latestRelease("linux", "amd64", "stable"))
                .isInstanceOfSatisfying(GuruApiException.class, e -> assertThat(e.status()).isEqualTo(404));

        assertThat(admin.setReleaseChannel(B1, "stable").channel()).isEqualTo("stable");
        assertThat(Files.readString(downloads.resolve(B1 + ".channel")).trim()).isEqualTo("stable");
        assertThat(admin.latestRelease("linux", "amd64", "stable").file()).isEqualTo(B1);
        assertThat(admin.audit()).extracting(a -> a.action()).contains("release.publish", "release.channel");
    }

    @Test
    void aRefusedPublishIsAnsweredBeforeTheClientSendsTheBody() throws Exception {
        // With Expect: 100-continue the refusal comes instead of "100 Continue": 50 MB are never sent.
        try (java.net.Socket socket = new java.net.Socket(server.url().getHost(), server.url().getPort())) {
            socket.setSoTimeout(10_000);
            String head = "POST /api/releases?file=gururmm-agent-linux-amd64-1.x.jar HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer "
                    + admin.token() + "\r\nExpect: 100-continue\r\nContent-Type: application/octet-stream\r\nContent-Length: 50000000\r\n\r\n";
            socket.getOutputStream().write(head.getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            String answer = new String(socket.getInputStream().readNBytes(12), StandardCharsets.US_ASCII);
            assertThat(answer).isEqualTo("HTTP/1.1 400");
        }
        // The typed client sends Expect: 100-continue too, and reads the refusal.
        byte[] big = new byte[8 * 1024 * 1024];
        for (int i = 0; i < 3; i++) {
            expect(400, "is not a release file name", () -> admin.publishRelease("gururmm-agent-linux-amd64-1.x.jar", big, null));
        }
    }

    @Test
    void badPublishesAreRefusedAndLeaveNothingBehind() throws Exception {
        byte[] build = "bytes".getBytes(StandardCharsets.UTF_8);
        expect(400, "is not a release file name", () -> admin.publishRelease("gururmm-agent-linux-amd64-1.x.jar", build, null));
        expect(400, "is not a release file name", () -> admin.publishRelease("gururmm-agent-beos-amd64-1.0.0.jar", build, null));
        expect(400, "is not a release file name", () -> admin.publishRelease("../gururmm-agent-linux-amd64-1.0.0.jar", build, null));
        expect(400, "'channel' must be one of", () -> admin.publishRelease(B1, build, "nightly"));
        var wrongHash = admin.rawBytes("POST", "/api/releases?file=" + B1 + "&sha256=" + "0".repeat(64), build);
        assertThat(wrongHash.status()).isEqualTo(400);
        assertThat(wrongHash.body()).contains("not the sha256");
        var empty = admin.rawBytes("POST", "/api/releases?file=" + B1, new byte[0]);
        assertThat(empty.status()).isEqualTo(400);
        try (Stream<Path> files = Files.list(downloads)) {
            assertThat(files.toList()).as("no half-written files").isEmpty();
        }
        admin.publishRelease(B1, build, null);
        expect(409, "already published", () -> admin.publishRelease(B1, build, null));
        expect(400, "'channel' must be one of", () -> admin.setReleaseChannel(B1, "candidate"));
        expect(404, "No release", () -> admin.setReleaseChannel("gururmm-agent-linux-amd64-9.9.9.jar", "stable"));
        expect(400, "between 0 and 100", () -> admin.setReleaseRollout(B1, 101, null));
        assertThat(server.anonymousClient().raw("GET", "/api/releases", null, Map.of()).status()).isEqualTo(401);
    }

    @Test
    void downloadsNeedACredentialRefuseTraversalAndResume() throws Exception {
        byte[] build = new byte[200_000];
        new java.util.Random(7).nextBytes(build);
        admin.publishRelease(B1, build, null);
        Files.writeString(downloads.getParent().resolve("secret.txt"), "outside");
        Files.createSymbolicLink(downloads.resolve("escape"), Path.of("../secret.txt"));
        HttpClient http = HttpClient.newHttpClient();
        URI url = URI.create(server.url() + "/downloads/" + B1);

        assertThat(http.send(HttpRequest.newBuilder(url).build(), HttpResponse.BodyHandlers.discarding()).statusCode()).isEqualTo(401);
        HttpResponse<byte[]> full = http.send(HttpRequest.newBuilder(url).header("Authorization", "Bearer " + admin.token()).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(full.statusCode()).isEqualTo(200);
        assertThat(full.body()).isEqualTo(build);
        assertThat(full.headers().firstValueAsLong("Content-Length")).hasValue(build.length);

        // An agent fetches with its own credential and resumes a partial download.
        var enrolled = admin.enroll(new EnrollRequest(server.enrollmentToken(), "dev-1", "machine-" + UUID.randomUUID(), "host", "linux",
                "amd64", "1.0.0", "stable"));
        HttpResponse<byte[]> tail = http.send(HttpRequest.newBuilder(url)
                        .header("Authorization", "Bearer " + enrolled.agentToken())
                        .header("X-GuruRMM-Agent-Id", enrolled.agentId().toString())
                        .header("Range", "bytes=150000-").build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(tail.statusCode()).isEqualTo(206);
        assertThat(tail.headers().firstValue("Content-Range")).hasValue("bytes 150000-199999/200000");
        assertThat(tail.body()).isEqualTo(java.util.Arrays.copyOfRange(build, 150000, 200000));
        HttpResponse<String> wrongAgent = http.send(HttpRequest.newBuilder(url)
                .header("Authorization", "Bearer nope").header("X-GuruRMM-Agent-Id", enrolled.agentId().toString()).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(wrongAgent.statusCode()).isEqualTo(401);

        for (String path : List.of("/downloads/escape", "/downloads/..%2Fsecret.txt", "/downloads/%2Fetc%2Fpasswd", "/downloads/.." ,
                "/downloads/nothing-here.jar")) {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(server.url() + path))
                    .header("Authorization", "Bearer " + admin.token()).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).as(path).isIn(400, 404);
            assertThat(response.body()).as(path).doesNotContain("outside").doesNotContain("root:");
        }
        HttpResponse<String> beyond = http.send(HttpRequest.newBuilder(url).header("Authorization", "Bearer " + admin.token())
                .header("Range", "bytes=999999-").build(), HttpResponse.BodyHandlers.ofString());
        assertThat(beyond.statusCode()).isEqualTo(416);
    }

    @Test
    void cleanupKeepsEveryFileOfTheNewestStableVersion() throws Exception {
        String prefix = "gururmm-agent-windows-amd64-";
        for (String v : List.of("1.0.0", "1.1.0", "1.2.0")) {
            for (String ext : List.of(".exe", ".jar")) {
                admin.publishRelease(prefix + v + ext, ("build " + v + ext).getBytes(StandardCharsets.UTF_8), v.equals("1.0.0") ? "stable" : "beta");
            }
        }
        CleanupResult done = admin.cleanupReleases(new CleanupRequest(1, true, false));
        assertThat(done.removed()).containsExactlyInAnyOrder(prefix + "1.1.0.exe", prefix + "1.1.0.jar");
        assertThat(admin.releases()).extracting(ReleaseView::file).as("both files of the newest stable version stay")
                .contains(prefix + "1.0.0.exe", prefix + "1.0.0.jar", prefix + "1.2.0.exe", prefix + "1.2.0.jar");
    }

    @Test
    void cleanupKeepsNewestStableNewestBetaAndVersionsAgentsRun() throws Exception {
        for (String v : List.of("1.0.0", "1.1.0", "1.2.0", "1.3.0", "1.4.0", "1.5.0")) {
            admin.publishRelease("gururmm-agent-linux-amd64-" + v + ".jar", ("build " + v).getBytes(StandardCharsets.UTF_8), null);
        }
        admin.setReleaseChannel("gururmm-agent-linux-amd64-1.1.0.jar", "stable");
        admin.enroll(new EnrollRequest(server.enrollmentToken(), "dev-1", "machine-" + UUID.randomUUID(), "host", "linux", "amd64", "1.0.0", "stable"));

        CleanupResult dry = admin.cleanupReleases(new CleanupRequest(2, false, true));
        assertThat(dry.removed()).containsExactly("gururmm-agent-linux-amd64-1.3.0.jar", "gururmm-agent-linux-amd64-1.2.0.jar");
        assertThat(Files.exists(downloads.resolve("gururmm-agent-linux-amd64-1.2.0.jar"))).isTrue();

        CleanupResult done = admin.cleanupReleases(new CleanupRequest(2, false, false));
        assertThat(done.removed()).containsExactlyInAnyOrderElementsOf(dry.removed());
        assertThat(done.kept()).extracting(k -> k.file() + ": " + k.reason()).contains(
                "gururmm-agent-linux-amd64-1.1.0.jar: newest stable version of linux-amd64",
                "gururmm-agent-linux-amd64-1.5.0.jar: newest beta version of linux-amd64",
                "gururmm-agent-linux-amd64-1.0.0.jar: 1 agent(s) still run 1.0.0 (force to remove anyway)");
        assertThat(Files.exists(downloads.resolve("gururmm-agent-linux-amd64-1.2.0.jar.sha256"))).isFalse();

        CleanupResult forced = admin.cleanupReleases(new CleanupRequest(1, true, false));
        assertThat(forced.removed()).containsExactly("gururmm-agent-linux-amd64-1.4.0.jar", "gururmm-agent-linux-amd64-1.0.0.jar");
        assertThat(admin.releases()).extracting(ReleaseView::file).as("even forced, the newest stable and beta stay")
                .containsExactly("gururmm-agent-linux-amd64-1.5.0.jar", "gururmm-agent-linux-amd64-1.1.0.jar");
        assertThat(Files.readSymbolicLink(downloads.resolve("gururmm-agent-linux-amd64-latest.jar")).toString())
                .isEqualTo("gururmm-agent-linux-amd64-1.5.0.jar");
        assertThat(admin.releases().getFirst().agents().running()).isZero();
    }

    @Test
    void aBuildDroppedByHandIsListedUnsignedUntilSigned() throws Exception {
        String file = "gururmm-agent-windows-amd64-2.0.0.exe";
        byte[] build = "pipeline output".getBytes(StandardCharsets.UTF_8);
        Files.write(downloads.resolve(file), build);
        Files.writeString(downloads.resolve(file + ".sha256"), sha256(build) + "  " + file + "\n");
        ReleaseView listed = admin.releases().getFirst();
        assertThat(listed.channel()).isEqualTo("stable");
        assertThat(listed.signed()).isFalse();
        assertThat(listed.problems()).anyMatch(p -> p.contains("has no .sig"));
        assertThat(admin.signRelease(file).signed()).isTrue();
        assertThat(ReleaseName.parse(file)).isPresent();
    }

    private static void expect(int status, String messagePart, Runnable call) {
        assertThatThrownBy(call::run).isInstanceOfSatisfying(GuruApiException.class, e -> {
            assertThat(e.status()).isEqualTo(status);
            assertThat(e.getMessage()).contains(messagePart);
        });
    }
}
