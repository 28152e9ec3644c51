package com.gururmm.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.gururmm.client.GuruClient;
import com.gururmm.protocol.Platform;
import com.gururmm.protocol.api.Agents.AgentDetail;
import com.gururmm.protocol.api.Commands.CommandRequest;
import com.gururmm.protocol.api.Releases.ReleaseView;
import com.gururmm.testkit.AgentProcess;
import com.gururmm.testkit.TestDatabase;
import com.gururmm.testkit.TestServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Self-update end to end: a real server, a real agent build started the way it is installed
 * ({@code java -jar gururmm-agent.jar launcher}), real builds published through the API.
 */
class ReleaseUpdateTest {
    private static final Duration UPDATE_WAIT = Duration.ofSeconds(120);
    private static final String PLATFORM = Platform.currentOs() + "-" + Platform.currentArch();

    @TempDir
    Path work;
    private TestServer server;
    private GuruClient admin;
    private AgentProcess agent;
    private UUID agentId;

    @BeforeEach
    void startAgentAtVersionA() throws Exception {
        server = TestServer.start(TestDatabase.Kind.H2);
        admin = server.adminClient();
        Path versionA = ReleaseBuilds.withVersion("1.0.0", work.resolve("agent-a.jar"));
        agent = AgentProcess.create(server.url(), server.enrollmentToken())
                .env("GURURMM_RELEASE_PUBLIC_KEY", admin.releaseSigningKey().publicKey())
                .env("GURURMM_UPDATE_DEADLINE_SECONDS", "60")
                .startLauncher(versionA);
        agentId = agent.awaitOnline(admin);
        assertThat(admin.agent(agentId).version()).isEqualTo("1.0.0");
    }

    @AfterEach
    void stop() {
        if (agent != null) {
            agent.close();
        }
        server.close();
    }

    private static String file(String version) {
        return "gururmm-agent-" + PLATFORM + "-" + version + ".jar";
    }

    private String currentPointer() throws Exception {
        return Files.readString(agent.stateDir().resolve("versions/current")).trim();
    }

    private AgentDetail awaitUpdateState(String state) {
        Awaitility.await("update state " + state + " (log: " + agent.log() + ")").atMost(UPDATE_WAIT).pollInterval(Duration.ofMillis(500))
                .until(() -> {
                    AgentDetail d = admin.agent(agentId);
                    return d.update() != null && d.update().state().equals(state);
                });
        return admin.agent(agentId);
    }

    private ReleaseView release(String file) {
        return admin.releases().stream().filter(r -> r.file().equals(file)).findFirst().orElseThrow();
    }

    @Test
    void agentMovesFromAToBAfterPromotionAndReportsB() throws Exception {
        byte[] versionB = Files.readAllBytes(ReleaseBuilds.withVersion("1.1.0", work.resolve("agent-b.jar")));
        admin.publishRelease(file("1.1.0"), versionB, null); // beta by default
        // A stable agent must not take a beta build: wait until two whole push rounds have decided (the
        // server records every offer it makes, so "no update state" after them means it offered nothing).
        long rounds = server.server().updates().completedRounds();
        Awaitility.await("two push rounds").atMost(Duration.ofSeconds(20))
                .until(() -> server.server().updates().completedRounds() >= rounds + 2);
        assertThat(admin.agent(agentId).version()).isEqualTo("1.0.0");
        assertThat(admin.agent(agentId).update()).isNull();

        admin.setReleaseChannel(file("1.1.0"), "stable");
        AgentDetail updated = awaitUpdateState("succeeded");
        Awaitility.await("agent online at 1.1.0").atMost(UPDATE_WAIT)
                .until(() -> admin.agent(agentId).status().equals("online") && admin.agent(agentId).version().equals("1.1.0"));
        assertThat(updated.update().targetVersion()).isEqualTo("1.1.0");
        assertThat(updated.update().file()).isEqualTo(file("1.1.0"));
        assertThat(currentPointer()).isEqualTo("1.1.0");
        assertThat(agent.log()).contains("launcher started agent 1.1.0");

        // The new version works: it runs a command and its result comes back over the new connection.
        UUID command = admin.runCommand(agentId, new CommandRequest("sh", "echo after-update", null, 30)).commandId();
        assertThat(admin.awaitCommand(command, Duration.ofSeconds(60)).stdout()).isEqualTo("after-update\n");
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> release(file("1.1.0")).agents().running() == 1);
        assertThat(release(file("1.1.0")).agents().failed()).isZero();
        assertThat(admin.audit()).extracting(a -> a.action()).contains("agent.update.succeeded");
    }

    @Test
    void tamperedBuildIsRefusedAndTheRolloutPausesItself() throws Exception {
        String tampered = file("1.1.0");
        admin.publishRelease(tampered, Files.readAllBytes(ReleaseBuilds.withVersion("1.1.0", work.resolve("agent-b.jar"))), null);
        // Someone with write access to the downloads dir swaps the build and fixes up its hash,
        // but cannot sign: the .sig still covers the original hash.
        Path downloads = server.server().config().downloadsDir();
        byte[] evil = Files.readAllBytes(ReleaseBuilds.crashing("1.1.0", work.resolve("evil.jar")));
        Files.write(downloads.resolve(tampered), evil);
        Files.writeString(downloads.resolve(tampered + ".sha256"), sha256(evil) + "  " + tampered + "\n");
        admin.setReleaseChannel(tampered, "stable");

        AgentDetail refused = awaitUpdateState("failed");
        assertThat(refused.update().reason()).contains("signature of " + tampered + " does not verify");
        assertThat(refused.version()).isEqualTo("1.0.0");
        assertThat(refused.status()).isEqualTo("online");
        assertThat(currentPointer()).isEqualTo("1.0.0");
        assertThat(Files.exists(agent.stateDir().resolve("versions/1.1.0"))).as("nothing was installed").isFalse();

        ReleaseView view = release(tampered);
        assertThat(view.signed()).isFalse();
        assertThat(view.agents().failed()).isEqualTo(1);
        assertThat(view.rollout().paused()).isTrue();
        assertThat(view.rollout().pauseReason()).contains("Paused automatically: 1 of 1 agents").contains("does not verify");
    }

    @Test
    void buildThatCrashesAtStartIsRolledBackAutomatically() throws Exception {
        String broken = file("1.1.0");
        admin.publishRelease(broken, Files.readAllBytes(ReleaseBuilds.crashing("1.1.0", work.resolve("crash.jar"))), "stable");

        AgentDetail rolledBack = awaitUpdateState("rolled_back");
        assertThat(rolledBack.update().reason()).contains("gururmm-agent 1.1.0 exited with code 1 before it reached the server")
                .contains("1.0.0 was restored");
        Awaitility.await("agent back online at 1.0.0").atMost(UPDATE_WAIT)
                .until(() -> admin.agent(agentId).status().equals("online") && admin.agent(agentId).version().equals("1.0.0"));
        assertThat(currentPointer()).isEqualTo("1.0.0");
        assertThat(agent.log()).contains("simulated start-up crash of agent 1.1.0").contains("UPDATE ROLLED BACK");

        ReleaseView view = release(broken);
        assertThat(view.agents().failed()).isEqualTo(1);
        assertThat(view.rollout().paused()).isTrue();
        assertThat(view.rollout().pauseReason()).contains("Paused automatically").contains("exited with code 1");
        assertThat(admin.audit()).extracting(a -> a.action()).contains("agent.update.rolled_back", "release.rollout.auto_pause");

        // The old version keeps working, and the broken build is not tried again.
        UUID command = admin.runCommand(agentId, new CommandRequest("sh", "echo still-here", null, 30)).commandId();
        assertThat(admin.awaitCommand(command, Duration.ofSeconds(60)).stdout()).isEqualTo("still-here\n");
        assertThat(Files.readString(agent.stateDir().resolve("update/bad-versions"))).contains("1.1.0");
        assertThat(admin.agent(agentId).update().state()).isEqualTo("rolled_back");
    }

    private static String sha256(byte[] bytes) throws Exception {
        return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(bytes));
    }
}
