package com.gururmm.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.gururmm.client.GuruClient;
import com.gururmm.protocol.api.Commands.CommandRequest;
import com.gururmm.protocol.api.Commands.CommandView;
import com.gururmm.testkit.AgentProcess;
import com.gururmm.testkit.TestDatabase;
import com.gururmm.server.GuruServer;
import com.gururmm.server.localagent.LocalAgentLauncher;
import com.gururmm.testkit.TestServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the agent keeps to itself: scripts inherit only an allow-list of its environment, and
 * the enrollment token does not linger in any agent process's environment
 * ({@code /proc/<pid>/environ}) or on disk once the agent has enrolled.
 */
@Timeout(180)
class AgentSecretsTest {
    private static final Duration PATIENCE = Duration.ofSeconds(60);
    private static TestServer server;
    private static GuruClient admin;

    @TempDir
    Path work;

    @BeforeAll
    static void startServer() {
        server = TestServer.start(TestDatabase.Kind.H2);
        admin = server.adminClient();
    }

    @AfterAll
    static void stopServer() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void scriptsSeeTheAllowListedVariablesButNotTheSecretsTheAgentWasStartedWith() {
        try (AgentProcess agent = AgentProcess.create(server.url(), server.enrollmentToken())
                .env("PGPASSWORD", "pg-secret-value")
                .env("AWS_SECRET_ACCESS_KEY", "aws-secret-value")
                .env("DATABASE_URL", "jdbc:postgresql://db/prod?password=db-secret-value")
                .env("TZ", "UTC")) {
            UUID agentId = agent.start().awaitOnline(admin);
            CommandView view = admin.awaitCommand(admin.runCommand(agentId, new CommandRequest("sh", "env", null, 30)).commandId(), PATIENCE);
            assertThat(view.status()).isEqualTo("completed");
            List<String> names = view.stdout().lines().map(line -> line.substring(0, Math.max(0, line.indexOf('=')))).toList();
            assertThat(names).contains("PATH", "TZ", "GURURMM_COMMAND_ID")
                    .doesNotContain("PGPASSWORD", "AWS_SECRET_ACCESS_KEY", "DATABASE_URL", "GURURMM_ENROLLMENT_TOKEN", "GURURMM_SERVER_URL");
            assertThat(view.stdout()).doesNotContain("secret-value");
        }
    }

    @Test
    void aTokenFromAFileIsDeletedAfterEnrollmentAndNeverInTheAgentsEnvironment() throws Exception {
        String token = server.enrollmentToken();
        Path tokenFile = work.resolve("enrollment-token");
        Files.writeString(tokenFile, token + "\n");
        Files.setPosixFilePermissions(tokenFile, PosixFilePermissions.fromString("rw-------"));
        try (AgentProcess agent = AgentProcess.create(server.url(), "unused")
                .withoutEnv("GURURMM_ENROLLMENT_TOKEN")
                .env("GURURMM_ENROLLMENT_TOKEN_FILE", tokenFile.toString())) {
            agent.start().awaitOnline(admin);
            await("token file deleted").atMost(PATIENCE).until(() -> !Files.exists(tokenFile));
            assertThat(environment(agent.processHandle().pid())).doesNotContain(token);
            assertPrivate(agent.stateDir());
        }
    }

    @Test
    void theLauncherHandsItsTokenToTheAgentThroughAPrivateFileNotTheEnvironment() throws Exception {
        String token = server.enrollmentToken();
        try (AgentProcess agent = AgentProcess.create(server.url(), token)) {
            agent.startLauncher(ReleaseBuilds.agentJar()).awaitOnline(admin);
            Path handover = agent.stateDir().resolve("enrollment-token");
            await("handover file deleted after enrollment").atMost(PATIENCE).until(() -> !Files.exists(handover));
            long child = agentPid(agent.stateDir());
            assertThat(ProcessHandle.of(child).flatMap(ProcessHandle::parent).map(ProcessHandle::pid))
                    .as("the agent is the launcher's child").contains(agent.processHandle().pid());
            assertThat(environment(child)).doesNotContain(token).doesNotContain("GURURMM_ENROLLMENT_TOKEN=");
            assertPrivate(agent.stateDir());
        }
    }

    @Test
    void theServerHostsOwnAgentGetsItsSingleUseTokenThroughAFile() throws Exception {
        try (TestServer withLocalAgent = TestServer.start(TestDatabase.Kind.H2,
                Map.of("GURURMM_LOCAL_AGENT", "auto", "GURURMM_LOCAL_AGENT_JAR", ReleaseBuilds.agentJar().toString()))) {
            // What ServerMain does after starting the server.
            GuruServer guru = withLocalAgent.server();
            LocalAgentLauncher localAgent = new LocalAgentLauncher(guru.config(), guru.port(), guru.enrollmentTokens(), guru.releasePublicKey());
            localAgent.start();
            try {
                assertTheLocalAgentEnrolledWithoutLeavingItsToken(withLocalAgent);
            } finally {
                localAgent.stop();
            }
        }
    }

    private static void assertTheLocalAgentEnrolledWithoutLeavingItsToken(TestServer withLocalAgent) throws Exception {
        GuruClient client = withLocalAgent.adminClient();
        await("local agent online").atMost(PATIENCE)
                .until(() -> client.agents().stream().anyMatch(a -> a.status().equals("online")));
        Path state = withLocalAgent.dataDir().resolve("local-agent");
        await("token file deleted after enrollment").atMost(PATIENCE).until(() -> !Files.exists(state.resolve("enrollment-token")));
        long agentPid = agentPid(state);
        long launcherPid = ProcessHandle.of(agentPid).flatMap(ProcessHandle::parent).orElseThrow().pid();
        for (long pid : new long[] {launcherPid, agentPid}) {
            assertThat(environment(pid)).as("environment of pid " + pid).doesNotContain("grmm_enroll_").doesNotContain("GURURMM_ENROLLMENT_TOKEN");
        }
        assertPrivate(state);
    }

    /** The agent writes its pid into agent.lock once it holds the state dir. */
    private static long agentPid(Path stateDir) {
        return await("agent.lock names a live agent").atMost(PATIENCE).until(() -> {
            Path lock = stateDir.resolve("agent.lock");
            String text = Files.exists(lock) ? Files.readString(lock).trim() : "";
            return text.isEmpty() ? -1L : Long.parseLong(text);
        }, pid -> pid > 0 && ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false));
    }

    private static String environment(long pid) throws Exception {
        byte[] raw = Files.readAllBytes(Path.of("/proc", Long.toString(pid), "environ"));
        return String.join("\n", Arrays.asList(new String(raw, StandardCharsets.UTF_8).split("\0")));
    }

    private static void assertPrivate(Path stateDir) throws Exception {
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(stateDir))).isEqualTo("rwx------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(stateDir.resolve("credentials.json")))).isEqualTo("rw-------");
    }
}
