package com.gururmm.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.gururmm.client.GuruClient;
import com.gururmm.protocol.api.Commands.CommandRequest;
import com.gururmm.protocol.api.Commands.CommandView;
import com.gururmm.protocol.api.EnrollmentTokens.CreateRequest;
import com.gururmm.protocol.api.EnrollmentTokens.TokenView;
import com.gururmm.testkit.TestDatabase;
import com.gururmm.testkit.TestServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The one-line install (SPEC "Further routes", Install): {@code GET /install.sh} and the Linux
 * agent build it fetches accept a usable enrollment token, and nothing else in the downloads dir
 * does; the served script itself runs against this server into a temporary root
 * ({@code GURURMM_ROOT}, {@code --no-systemd}), verifies the build against the published
 * {@code .sha256}, installs the repository's launcher and unit, and the installed agent enrolls
 * with the token and runs a command.
 */
@Timeout(300)
class InstallScriptTest {
    private static final String JAR = "gururmm-agent-linux-amd64-0.0.1.jar";
    private static TestServer server;
    private static GuruClient admin;
    private static byte[] build;

    @TempDir
    Path dir;

    @BeforeAll
    static void start() throws Exception {
        server = TestServer.start(TestDatabase.Kind.POSTGRES);
        admin = server.adminClient();
        build = Files.readAllBytes(ReleaseBuilds.agentJar());
        admin.publishRelease(JAR, build, "stable");
        admin.publishRelease("gururmm-agent-windows-amd64-0.0.1.exe", "not for tokens".getBytes(StandardCharsets.UTF_8), "stable");
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    private static String token() {
        return admin.createEnrollmentToken(new CreateRequest(null, 1, null)).token();
    }

    private static GuruClient.RawResponse get(String path, String bearer) {
        return server.anonymousClient().raw("GET", path, null, bearer == null ? Map.of() : Map.of("Authorization", "Bearer " + bearer));
    }

    @Test
    void anEnrollmentTokenFetchesTheScriptAndTheLinuxBuildOnly() {
        String token = token();
        GuruClient.RawResponse script = get("/install.sh", token);
        assertThat(script.status()).as(script.body()).isEqualTo(200);
        assertThat(script.body()).startsWith("#!/bin/sh").contains("set -eu").contains("'" + JAR + "'")
                .contains("GURURMM_DEFAULT_SERVER='" + server.url().toString().replaceAll("/$", "") + "'")
                .doesNotContain(token);
        assertThat(get("/downloads/" + JAR, token).status()).isEqualTo(200);
        assertThat(get("/downloads/" + JAR + ".sha256", token).status()).isEqualTo(200);
        // Narrow: the token is not a user; the Windows build, the API and the release list stay closed.
        GuruClient.RawResponse other = get("/downloads/gururmm-agent-windows-amd64-0.0.1.exe", token);
        assertThat(other.status()).as(other.body()).isEqualTo(403);
        assertThat(get("/api/releases", token).status()).isEqualTo(401);
        assertThat(get("/api/agents", token).status()).isEqualTo(401);
        assertThat(get("/install.sh", null).status()).isEqualTo(401);
        assertThat(get("/install.sh", "grmm_enroll_not-a-token").status()).isEqualTo(401);
        assertThat(get("/install.sh?channel=nightly", token).status()).isEqualTo(400);
    }

    @Test
    void revokedAndExpiredTokensAreRefused() {
        TokenView revoked = admin.createEnrollmentToken(new CreateRequest(null, 1, null));
        assertThat(get("/downloads/" + JAR, revoked.token()).status()).isEqualTo(200);
        admin.revokeEnrollmentToken(revoked.id());
        assertThat(get("/install.sh", revoked.token()).status()).isEqualTo(401);
        assertThat(get("/downloads/" + JAR, revoked.token()).status()).isEqualTo(401);

        TokenView expired = admin.createEnrollmentToken(new CreateRequest(null, 1, null));
        Jdbi.create(server.database().jdbcUrl()).useHandle(h -> h.execute(
                "UPDATE enrollment_tokens SET expires_at = CURRENT_TIMESTAMP - INTERVAL '1' HOUR WHERE id = ?", expired.id()));
        assertThat(get("/install.sh", expired.token()).status()).isEqualTo(401);
        assertThat(get("/downloads/" + JAR + ".sha256", expired.token()).status()).isEqualTo(401);
    }

    @Test
    void theServedScriptInstallsAnAgentThatEnrollsAndRunsACommand() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(System.getProperty("os.arch").matches("amd64|x86_64"), "the test publishes an amd64 build");
        String token = token();
        Path root = dir.resolve("root");
        Files.createDirectories(root);
        Run run = runScript(token, root);
        assertThat(run.exit).as(run.output).isZero();

        Path home = root.resolve("opt/gururmm");
        assertThat(sha256(Files.readAllBytes(home.resolve("gururmm-agent.jar")))).isEqualTo(sha256(build));
        assertThat(home.resolve("bin/gururmm-agent")).isExecutable();
        assertThat(Files.readString(root.resolve("etc/systemd/system/gururmm-agent.service")))
                .isEqualTo(Files.readString(Path.of("..", "packaging", "linux", "gururmm-agent.service")));
        String agentEnv = Files.readString(root.resolve("etc/gururmm/agent.env"));
        assertThat(agentEnv).contains("GURURMM_SERVER_URL=" + server.url().toString().replaceAll("/$", ""))
                .contains("GURURMM_RELEASE_PUBLIC_KEY=").doesNotContain(token);
        Path tokenFile = root.resolve("var/lib/gururmm/enrollment-token");
        assertThat(Files.readString(tokenFile).trim()).isEqualTo(token);
        // No file anyone but root can read holds the token.
        try (Stream<Path> files = Files.walk(root)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                if (Files.readString(f, StandardCharsets.ISO_8859_1).contains(token)) {
                    assertThat(Files.getPosixFilePermissions(f)).as(f.toString())
                            .doesNotContain(PosixFilePermission.GROUP_READ, PosixFilePermission.OTHERS_READ);
                }
            }
        }
        assertThat(run.output).doesNotContain(token);

        // The installed launcher, with the unit's environment, enrolls with the token and runs a command.
        int before = admin.agents().size();
        List<String> env = new ArrayList<>(Files.readAllLines(root.resolve("etc/gururmm/agent.env")));
        ProcessBuilder agent = new ProcessBuilder("sh", home.resolve("bin/gururmm-agent").toString(), "launcher")
                .redirectErrorStream(true).redirectOutput(dir.resolve("agent.log").toFile());
        agent.environment().keySet().removeIf(k -> k.startsWith("GURURMM_"));
        for (String line : env) {
            agent.environment().put(line.substring(0, line.indexOf('=')), line.substring(line.indexOf('=') + 1));
        }
        agent.environment().put("GURURMM_HOME", home.toString());
        agent.environment().put("GURURMM_STATE_DIR", root.resolve("var/lib/gururmm").toString());
        agent.environment().put("GURURMM_JAVA", ProcessHandle.current().info().command().orElseThrow());
        agent.environment().put("GURURMM_AGENT_JAVA_OPTS", "-Xmx128m -XX:+UseSerialGC -XX:TieredStopAtLevel=1");
        Process process = agent.start();
        try {
            await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(250)).until(() -> admin.agents().size() > before
                    && admin.agents().stream().anyMatch(a -> "online".equals(a.status())));
            UUID agentId = admin.agents().stream().filter(a -> "online".equals(a.status())).findFirst().orElseThrow().id();
            UUID command = admin.runCommand(agentId, new CommandRequest("sh", "echo installed-by-script", null, 30)).commandId();
            await().atMost(Duration.ofSeconds(60)).until(() -> !List.of("queued", "running").contains(admin.command(command).status()));
            CommandView result = admin.command(command);
            assertThat(result.stdout()).as(result.toString()).contains("installed-by-script");
            // The agent deletes the token file once enrolled.
            await().atMost(Duration.ofSeconds(30)).until(() -> !Files.exists(tokenFile));
        } finally {
            process.descendants().forEach(ProcessHandle::destroy);
            process.destroy();
            process.waitFor(30, TimeUnit.SECONDS);
            process.descendants().forEach(ProcessHandle::destroyForcibly);
        }
    }

    @Test
    void aBuildWhoseHashDoesNotMatchIsNotInstalled() throws Exception {
        String token = token();
        // The script is fetched while the build is offered; the sidecar then changes under it (a
        // swapped file on the way, as the script sees it: the build no longer matches the published hash).
        String script = fetchScript();
        Path sidecar = server.server().config().downloadsDir().resolve(JAR + ".sha256");
        String good = Files.readString(sidecar);
        Files.writeString(sidecar, "0".repeat(64) + "  " + JAR + "\n");
        try {
            Path root = dir.resolve("tampered");
            Files.createDirectories(root);
            Run run = runScript(script, token, root);
            assertThat(run.exit).as(run.output).isNotZero();
            assertThat(run.output).contains("nothing was installed");
            assertThat(root.resolve("opt")).doesNotExist();
        } finally {
            Files.writeString(sidecar, good);
            // The catalog drops a build whose sidecar does not match; wait until it is offered again for the other tests.
            await().atMost(Duration.ofSeconds(60)).until(() -> fetchScript().contains("'" + JAR + "'"));
        }
        // A revoked token: the download is refused, nothing is installed.
        TokenView revoked = admin.createEnrollmentToken(new CreateRequest(null, 1, null));
        admin.revokeEnrollmentToken(revoked.id());
        Path root = dir.resolve("revoked");
        Files.createDirectories(root);
        Run run = runScript(revoked.token(), root);
        assertThat(run.exit).as(run.output).isNotZero();
        assertThat(run.output).contains("could not download");
        assertThat(root.resolve("opt")).doesNotExist();
    }

    private record Run(int exit, String output) {
    }

    /** Fetches the script with a fresh good token, then runs it with {@code token} in the environment, as the docs say. */
    private Run runScript(String token, Path root) throws Exception {
        return runScript(fetchScript(), token, root);
    }

    private static String fetchScript() {
        GuruClient.RawResponse script = get("/install.sh", token());
        assertThat(script.status()).isEqualTo(200);
        return script.body();
    }

    private Run runScript(String script, String token, Path root) throws Exception {
        Path file = Files.createTempFile(dir, "install", ".sh");
        Files.writeString(file, script);
        ProcessBuilder sh = new ProcessBuilder("sh", file.toString(), "--no-systemd").redirectErrorStream(true);
        sh.environment().keySet().removeIf(k -> k.startsWith("GURURMM_"));
        sh.environment().put("GURURMM_ROOT", root.toString());
        sh.environment().put("GURURMM_ENROLLMENT_TOKEN", token);
        Process p = sh.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        return new Run(p.exitValue(), out);
    }

    private static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }

}
