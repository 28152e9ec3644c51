package com.gururmm.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.gururmm.client.GuruApiException;
import com.gururmm.client.GuruClient;
import com.gururmm.protocol.api.AgentFiles;
import com.gururmm.protocol.api.Agents.EnrollRequest;
import com.gururmm.protocol.api.Audit.AuditEntry;
import com.gururmm.protocol.api.Auth.ScopeView;
import com.gururmm.protocol.files.FileTransfer;
import com.gururmm.testkit.AgentProcess;
import com.gururmm.testkit.Fleet;
import com.gururmm.testkit.TestDatabase;
import com.gururmm.testkit.TestServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * File transfer end to end (issue 11): a real server, real agent processes on this machine (so the
 * test reads the agent's side of the file system directly), the typed client. 20 MiB there and
 * back byte for byte, resume after a cut connection, checksum refusal leaving nothing, the size
 * limit, a confined root against {@code ..} and symlinks, offline and out-of-scope agents.
 */
@Timeout(300)
class FileTransferTest {
    private static final int MAX_MB = 24;
    private static Fleet fleet;
    private static GuruClient admin;
    private static UUID agentId;
    private static UUID confinedId;
    @TempDir
    static Path dir;
    private static Path root;

    @BeforeAll
    static void start() throws IOException {
        fleet = new Fleet(TestServer.start(TestDatabase.Kind.H2, Map.of("GURURMM_FILES_MAX_MB", Integer.toString(MAX_MB))));
        admin = fleet.admin();
        agentId = fleet.onlineAgentId();
        root = Files.createDirectories(dir.resolve("confined"));
        AgentProcess confined = fleet.track(AgentProcess.create(fleet.server().url(), fleet.server().enrollmentToken())
                .env("GURURMM_FILES_ROOT", root.toString()));
        confinedId = confined.start().awaitOnline(admin);
    }

    @AfterAll
    static void stop() {
        fleet.close();
    }

    private static Path randomFile(String name, int bytes, long seed) throws IOException {
        byte[] data = new byte[bytes];
        new Random(seed).nextBytes(data);
        return Files.write(dir.resolve(name), data);
    }

    private static String sha256(byte[] data) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
    }

    private static String sha256(Path file) throws Exception {
        return sha256(Files.readAllBytes(file));
    }

    private static List<AuditEntry> audit(String action) {
        return admin.audit().stream().filter(e -> e.action().equals(action)).toList();
    }

    private static Path part(Path target) {
        return target.resolveSibling("." + target.getFileName() + FileTransfer.PART_SUFFIX);
    }

    @Test
    void aTwentyMebibyteFilePushedAndPulledBackIsByteIdentical() throws Exception {
        Path local = randomFile("big.bin", 20 * 1024 * 1024 + 12345, 1);
        String sha = sha256(local);
        Path remote = Files.createDirectories(dir.resolve("agent-side")).resolve("big.bin");
        long[] progress = {0};
        AgentFiles.Uploaded up = admin.pushFile(agentId, remote.toString(), local, 0, sha, n -> progress[0] = n);
        assertThat(up.size()).isEqualTo(Files.size(local));
        assertThat(up.sha256()).isEqualTo(sha);
        assertThat(progress[0]).isEqualTo(Files.size(local));
        assertThat(sha256(remote)).isEqualTo(sha);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(remote))).isEqualTo("rw-------");
        assertThat(part(remote)).doesNotExist();

        ByteArrayOutputStream back = new ByteArrayOutputStream();
        AgentFiles.Downloaded down = admin.pullFile(agentId, remote.toString(), back, 0, null, null);
        assertThat(down.sha256()).isEqualTo(sha);
        assertThat(down.size()).isEqualTo(Files.size(local));
        assertThat(sha256(back.toByteArray())).isEqualTo(sha);

        assertThat(audit("file.upload")).anySatisfy(e -> assertThat(e.detail()).contains("path=" + remote).contains("sha256=" + sha)
                .contains("size=" + Files.size(local)).contains("direction=to_agent"));
        assertThat(audit("file.download")).anySatisfy(e -> assertThat(e.detail()).contains("path=" + remote).contains("sha256=" + sha)
                .contains("direction=from_agent"));
    }

    @Test
    void anInterruptedUploadResumesFromThePartFileAndADownloadResumesFromAnOffset() throws Exception {
        Path local = randomFile("resume.bin", 6 * 1024 * 1024 + 7, 2);
        byte[] content = Files.readAllBytes(local);
        Path remote = dir.resolve("resumed.bin");
        int before = audit("file.upload_interrupted").size();
        // A client that announces the whole file, sends 3 MiB and vanishes.
        try (Socket socket = new Socket(fleet.server().url().getHost(), fleet.server().url().getPort())) {
            OutputStream out = socket.getOutputStream();
            String head = "POST /api/agents/" + agentId + "/files?path=" + URLEncoder.encode(remote.toString(), StandardCharsets.UTF_8)
                    + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + admin.token()
                    + "\r\nContent-Type: application/octet-stream\r\nContent-Length: " + content.length + "\r\n\r\n";
            out.write(head.getBytes(StandardCharsets.US_ASCII));
            out.write(content, 0, 3 * 1024 * 1024);
            out.flush();
            Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> Files.exists(part(remote))
                    && Files.size(part(remote)) >= 2 * FileTransfer.CHUNK_BYTES);
        }
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> audit("file.upload_interrupted").size() > before);
        assertThat(remote).doesNotExist();
        // A wrong offset is refused with the right one: the agent's answer comes after every chunk it was sent before the cut.
        GuruClient.OffsetMismatchException mismatch = org.junit.jupiter.api.Assertions.assertThrows(GuruClient.OffsetMismatchException.class,
                () -> admin.pushFile(agentId, remote.toString(), local, 1, null, null));
        long kept = mismatch.offset();
        assertThat(kept).isPositive().isLessThanOrEqualTo(3 * 1024 * 1024).isEqualTo(Files.size(part(remote)));
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(part(remote)))).isEqualTo("rw-------");
        long[] progress = {0};
        AgentFiles.Uploaded up = admin.resumeFile(agentId, remote.toString(), local, sha256(content), n -> progress[0] = n);
        assertThat(up.offset()).isEqualTo(kept);
        assertThat(up.sha256()).isEqualTo(sha256(content));
        assertThat(Files.readAllBytes(remote)).isEqualTo(content);
        assertThat(part(remote)).doesNotExist();

        // Download the first part, then the rest from an offset (?offset= and Range: bytes=N-).
        int cut = 2 * 1024 * 1024 + 3;
        ByteArrayOutputStream tail = new ByteArrayOutputStream();
        AgentFiles.Downloaded rest = admin.pullFile(agentId, remote.toString(), tail, cut, null, null);
        assertThat(rest.offset()).isEqualTo(cut);
        assertThat(rest.sha256()).isEqualTo(sha256(content));
        byte[] joined = new byte[content.length];
        System.arraycopy(content, 0, joined, 0, cut);
        System.arraycopy(tail.toByteArray(), 0, joined, cut, tail.size());
        assertThat(tail.size()).isEqualTo(content.length - cut);
        assertThat(sha256(joined)).isEqualTo(rest.sha256());
        GuruClient.RawResponse ranged = admin.raw("GET", "/api/agents/" + agentId + "/files?path="
                + URLEncoder.encode(remote.toString(), StandardCharsets.UTF_8), null, Map.of("Range", "bytes=" + (content.length - 5) + "-"));
        assertThat(ranged.status()).isEqualTo(206);
        assertThat(ranged.headers().firstValue("Content-Range")).contains("bytes " + (content.length - 5) + "-" + (content.length - 1)
                + "/" + content.length);
    }

    @Test
    void anUploadRefusedBeforeItsFirstByteNeverSendsTheBody() throws Exception {
        // Root cause of a flaky resume test: the client streamed 6 MiB into a connection the server had already
        // answered 409 and closed; the reset could destroy the answer. With Expect: 100-continue nothing is sent.
        Path local = randomFile("refused-early.bin", 8 * 1024 * 1024, 5);
        Path remote = dir.resolve("refused-early-target.bin");
        long[] progress = {0};
        for (int i = 0; i < 5; i++) {
            GuruClient.OffsetMismatchException mismatch = org.junit.jupiter.api.Assertions.assertThrows(
                    GuruClient.OffsetMismatchException.class, () -> admin.pushFile(agentId, remote.toString(), local, 1, null,
                            n -> progress[0] = Math.max(progress[0], n)));
            assertThat(mismatch.offset()).isZero();
        }
        assertThat(progress[0]).as("bytes of the file the client read to send").isZero();
        assertThat(remote).doesNotExist();
        assertThat(part(remote)).doesNotExist();
    }

    @Test
    void anUploadRefusedWhileItsBodyIsArrivingStillGetsTheAnswer() throws Exception {
        // A client that sends no Expect: 100-continue (curl past its wait, a script) is sending the body when the
        // refusal is ready. Closing the connection on unread bytes resets it, and the reset could destroy the answer
        // before the client read it ("header parser received no bytes"): the server reads and discards the body first.
        byte[] content = Files.readAllBytes(randomFile("refused-late.bin", 16 * 1024 * 1024, 9));
        Path remote = dir.resolve("refused-late-target.bin");
        java.net.http.HttpClient plain = java.net.http.HttpClient.newHttpClient();
        for (int i = 0; i < 8; i++) {
            java.net.http.HttpResponse<String> refused = plain.send(java.net.http.HttpRequest.newBuilder(fleet.server().url().resolve(
                            "/api/agents/" + agentId + "/files?offset=3&path=" + URLEncoder.encode(remote.toString(), StandardCharsets.UTF_8)))
                    .header("Authorization", "Bearer " + admin.token()).header("Content-Type", "application/octet-stream")
                    .POST(java.net.http.HttpRequest.BodyPublishers.ofByteArray(content)).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            assertThat(refused.statusCode()).as(refused.body()).isEqualTo(409);
            assertThat(refused.headers().firstValue(AgentFiles.OFFSET_HEADER)).contains("0");
        }
        assertThat(remote).doesNotExist();
        assertThat(part(remote)).doesNotExist();
    }

    @Test
    void aChecksumMismatchIsRefusedAndLeavesNothingBehind() throws Exception {
        Path local = randomFile("mismatch.bin", 700_000, 3);
        Path remote = dir.resolve("mismatch-target.bin");
        String wrong = "0".repeat(64);
        String actual = sha256(local);
        assertThatThrownBy(() -> admin.pushFile(agentId, remote.toString(), local, 0, wrong, null))
                .isInstanceOfSatisfying(GuruApiException.class, e -> {
                    assertThat(e.status()).isEqualTo(422);
                    assertThat(e.code()).isEqualTo("checksum_mismatch");
                    assertThat(e.getMessage()).contains(actual).contains(wrong);
                });
        assertThat(remote).doesNotExist();
        assertThat(part(remote)).doesNotExist();

        // Replacing an existing file: a mismatch keeps the old one whole.
        Files.writeString(remote, "the old content");
        assertThatThrownBy(() -> admin.pushFile(agentId, remote.toString(), local, 0, wrong, null))
                .isInstanceOfSatisfying(GuruApiException.class, e -> assertThat(e.code()).isEqualTo("checksum_mismatch"));
        assertThat(Files.readString(remote)).isEqualTo("the old content");
        assertThat(part(remote)).doesNotExist();
        assertThat(audit("file.upload_refused")).anySatisfy(e -> assertThat(e.detail()).contains("reason=checksum_mismatch"));

        // A download whose file does not hash to the expected value is refused before any byte.
        assertThatThrownBy(() -> admin.pullFile(agentId, remote.toString(), new ByteArrayOutputStream(), 0, wrong, null))
                .isInstanceOfSatisfying(GuruApiException.class, e -> assertThat(e.status()).isEqualTo(422));
    }

    @Test
    void filesOverTheLimitAreRefusedWith413BothWays() throws Exception {
        Path local = randomFile("too-big.bin", (MAX_MB + 1) * 1024 * 1024, 4);
        Path remote = dir.resolve("too-big-target.bin");
        // The server answers 413 from Content-Length, before reading the body, and closes the
        // connection; a client still sending can see the reset before the answer (status 0).
        // Known race (docs/OPERATIONS.md, "File transfer"): either way nothing is stored.
        assertThatThrownBy(() -> admin.pushFile(agentId, remote.toString(), local, 0, null, null))
                .isInstanceOfSatisfying(GuruApiException.class, e -> {
                    assertThat(e.status()).isIn(413, 0);
                    if (e.status() == 413) {
                        assertThat(e.getMessage()).contains("GURURMM_FILES_MAX_MB=" + MAX_MB);
                    }
                });
        assertThat(remote).doesNotExist();
        assertThat(part(remote)).doesNotExist();
        assertThatThrownBy(() -> admin.pullFile(agentId, local.toString(), new ByteArrayOutputStream(), 0, null, null))
                .isInstanceOfSatisfying(GuruApiException.class, e -> assertThat(e.status()).isEqualTo(413));
    }

    @Test
    void aConfinedRootRefusesDotDotAndSymlinkEscapes() throws Exception {
        Path outside = Files.createDirectories(dir.resolve("outside"));
        Path secret = Files.writeString(outside.resolve("secret.txt"), "not for you");
        Files.createSymbolicLink(root.resolve("escape-dir"), outside);
        Files.createSymbolicLink(root.resolve("escape-file"), secret);
        Path local = randomFile("small.bin", 1000, 5);

        for (String path : List.of(root + "/../outside/x.bin", root + "/escape-dir/x.bin")) {
            assertThatThrownBy(() -> admin.pushFile(confinedId, path, local, 0, null, null)).as(path)
                    .isInstanceOfSatisfying(GuruApiException.class, e -> {
                        assertThat(e.status()).isEqualTo(403);
                        assertThat(e.code()).isEqualTo("path_refused");
                    });
        }
        assertThat(outside.resolve("x.bin")).doesNotExist();
        for (String path : List.of(root + "/escape-file", root + "/../outside/secret.txt", root + "/escape-dir/secret.txt")) {
            assertThatThrownBy(() -> admin.pullFile(confinedId, path, new ByteArrayOutputStream(), 0, null, null)).as(path)
                    .isInstanceOfSatisfying(GuruApiException.class, e -> assertThat(e.code()).isEqualTo("path_refused"));
        }
        // Inside the root it works.
        AgentFiles.Uploaded ok = admin.pushFile(confinedId, root + "/inside.bin", local, 0, null, null);
        assertThat(ok.sha256()).isEqualTo(sha256(local));
        assertThat(Files.readAllBytes(root.resolve("inside.bin"))).isEqualTo(Files.readAllBytes(local));
    }

    @Test
    void badInputIsRefusedWith400AndMissingFilesWith404() throws Exception {
        String base = "/api/agents/" + agentId + "/files";
        Map<String, String> octets = Map.of("Content-Type", "application/octet-stream");
        for (String query : List.of("", "?path=", "?path=relative/file.txt", "?path=%2Ftmp%2Fa%00b", "?path=%2Ftmp%2F",
                "?path=%2Ftmp%2Fx&offset=-1", "?path=%2Ftmp%2Fx&offset=abc", "?path=%2Ftmp%2Fx&sha256=xyz")) {
            assertThat(admin.raw("POST", base + query, "data", octets).status()).as("POST " + query).isEqualTo(400);
            assertThat(admin.raw("GET", base + query, null, Map.of()).status()).as("GET " + query).isEqualTo(400);
        }
        assertThat(admin.raw("GET", base + "?path=" + URLEncoder.encode(dir + "/missing.txt", StandardCharsets.UTF_8), null, Map.of()).status())
                .isEqualTo(404);
        assertThat(admin.raw("GET", base + "?path=" + URLEncoder.encode(dir.toString(), StandardCharsets.UTF_8), null, Map.of()).status())
                .isEqualTo(400);
        assertThat(admin.raw("POST", base + "?path=" + URLEncoder.encode(dir + "/no-such-dir/f", StandardCharsets.UTF_8), "x", octets).status())
                .isEqualTo(404);
    }

    @Test
    void anOfflineAgentIsAClear409() throws Exception {
        String machine = UUID.randomUUID().toString();
        UUID offline = fleet.server().anonymousClient().enroll(new EnrollRequest(fleet.server().enrollmentToken(), "dev-" + machine, machine,
                "offline-host", "linux", "amd64", "0.1.0", "stable")).agentId();
        Path local = randomFile("offline.bin", 10, 6);
        assertThatThrownBy(() -> admin.pushFile(offline, "/tmp/x", local, 0, null, null))
                .isInstanceOfSatisfying(GuruApiException.class, e -> {
                    assertThat(e.status()).isEqualTo(409);
                    assertThat(e.code()).isEqualTo("agent_offline");
                });
        assertThatThrownBy(() -> admin.pullFile(offline, "/tmp/x", new ByteArrayOutputStream(), 0, null, null))
                .isInstanceOfSatisfying(GuruApiException.class, e -> assertThat(e.code()).isEqualTo("agent_offline"));
    }

    @Test
    void aTechnicianOutsideTheAgentsScopeGets404AndAViewerIsForbidden() throws Exception {
        UUID otherClient = admin.createClient("Files elsewhere " + UUID.randomUUID()).id();
        String email = "files-tech-" + UUID.randomUUID() + "@example.test";
        admin.createUser(email, "technician-password-123", "technician", new ScopeView(List.of(otherClient), List.of()));
        GuruClient tech = fleet.server().anonymousClient();
        tech.login(email, "technician-password-123");
        Path local = randomFile("scope.bin", 100, 7);
        Path remote = dir.resolve("scope-target.bin");
        assertThatThrownBy(() -> tech.pushFile(agentId, remote.toString(), local, 0, null, null))
                .isInstanceOfSatisfying(GuruApiException.class, e -> assertThat(e.status()).isEqualTo(404));
        assertThatThrownBy(() -> tech.pullFile(agentId, local.toString(), new ByteArrayOutputStream(), 0, null, null))
                .isInstanceOfSatisfying(GuruApiException.class, e -> assertThat(e.status()).isEqualTo(404));
        assertThat(remote).doesNotExist();

        String viewerEmail = "files-viewer-" + UUID.randomUUID() + "@example.test";
        admin.createUser(viewerEmail, "viewer-password-1234", "viewer");
        GuruClient viewer = fleet.server().anonymousClient();
        viewer.login(viewerEmail, "viewer-password-1234");
        assertThatThrownBy(() -> viewer.pullFile(agentId, local.toString(), new ByteArrayOutputStream(), 0, null, null))
                .isInstanceOfSatisfying(GuruApiException.class, e -> assertThat(e.status()).isEqualTo(403));

        // A technician whose scope holds the agent may transfer.
        String inScope = "files-tech-in-" + UUID.randomUUID() + "@example.test";
        admin.createUser(inScope, "technician-password-123", "technician", new ScopeView(
                admin.clients().stream().map(com.gururmm.protocol.api.Tenancy.ClientView::id).toList(), List.of()));
        GuruClient allowed = fleet.server().anonymousClient();
        allowed.login(inScope, "technician-password-123");
        assertThat(allowed.pushFile(agentId, remote.toString(), local, 0, null, null).size()).isEqualTo(100);
        assertThat(Arrays.equals(Files.readAllBytes(remote), Files.readAllBytes(local))).isTrue();
    }

    @Test
    void theServerHostsOwnAgentIsAdminOnly() throws Exception {
        String hostToken = fleet.server().server().enrollmentTokens().createServerHostToken(Duration.ofMinutes(5)).token();
        String machine = UUID.randomUUID().toString();
        UUID host = fleet.server().anonymousClient().enroll(new EnrollRequest(hostToken, "dev-" + machine, machine, "server-host", "linux",
                "amd64", "0.1.0", "stable")).agentId();
        String email = "files-host-tech-" + UUID.randomUUID() + "@example.test";
        admin.createUser(email, "technician-password-123", "technician", new ScopeView(
                admin.clients().stream().map(com.gururmm.protocol.api.Tenancy.ClientView::id).toList(), List.of()));
        GuruClient tech = fleet.server().anonymousClient();
        tech.login(email, "technician-password-123");
        Path local = randomFile("host.bin", 10, 8);
        assertThatThrownBy(() -> tech.pushFile(host, "/tmp/x", local, 0, null, null))
                .isInstanceOfSatisfying(GuruApiException.class, e -> assertThat(e.status()).isEqualTo(403));
        assertThatThrownBy(() -> tech.pullFile(host, "/tmp/x", new ByteArrayOutputStream(), 0, null, null))
                .isInstanceOfSatisfying(GuruApiException.class, e -> assertThat(e.status()).isEqualTo(403));
        // An admin passes the rule (and then finds the agent offline).
        assertThatThrownBy(() -> admin.pushFile(host, "/tmp/x", local, 0, null, null))
                .isInstanceOfSatisfying(GuruApiException.class, e -> assertThat(e.code()).isEqualTo("agent_offline"));
    }
}
