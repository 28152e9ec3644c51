package com.gururmm.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.gururmm.client.GuruClient;
import com.gururmm.protocol.Platform;
import com.gururmm.protocol.api.Agents.AgentDetail;
import com.gururmm.protocol.api.Commands.CommandRequest;
import com.gururmm.testkit.AgentProcess;
import com.gururmm.testkit.TestDatabase;
import com.gururmm.testkit.TestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The launcher's deadline: a new version that starts fine but never reaches the server is
 * killed when {@code GURURMM_UPDATE_DEADLINE_SECONDS} runs out, and the previous version comes
 * back and reports why. The crash-at-start path is in {@link ReleaseUpdateTest}; this one is
 * the silent hang, which no exit code would ever reveal.
 */
class ReleaseDeadlineTest {
    private static final int DEADLINE_SECONDS = 6;
    private static final Duration WAIT = Duration.ofSeconds(120);
    private static final Pattern HANGING_PID = Pattern.compile("hanging agent 1\\.1\\.0 pid (\\d+)");

    @TempDir
    Path work;
    private TestServer server;
    private AgentProcess agent;

    @AfterEach
    void stop() {
        if (agent != null) {
            agent.close();
        }
        if (server != null) {
            server.close();
        }
    }

    @Test
    void versionThatNeverReconnectsIsKilledAtTheDeadlineAndThePreviousOneRestored() throws Exception {
        server = TestServer.start(TestDatabase.Kind.H2);
        GuruClient admin = server.adminClient();
        agent = AgentProcess.create(server.url(), server.enrollmentToken())
                .env("GURURMM_RELEASE_PUBLIC_KEY", admin.releaseSigningKey().publicKey())
                .env("GURURMM_UPDATE_DEADLINE_SECONDS", Integer.toString(DEADLINE_SECONDS))
                .startLauncher(ReleaseBuilds.withVersion("1.0.0", work.resolve("agent-a.jar")));
        UUID agentId = agent.awaitOnline(admin);

        String file = "gururmm-agent-" + Platform.currentOs() + "-" + Platform.currentArch() + "-1.1.0.jar";
        admin.publishRelease(file, Files.readAllBytes(ReleaseBuilds.hanging("1.1.0", work.resolve("hang.jar"))), "stable");

        Awaitility.await("rolled_back reported (log: " + agent.log() + ")").atMost(WAIT).pollInterval(Duration.ofMillis(500))
                .until(() -> {
                    AgentDetail d = admin.agent(agentId);
                    return d.update() != null && d.update().state().equals("rolled_back");
                });
        AgentDetail rolledBack = admin.agent(agentId);
        assertThat(rolledBack.update().reason())
                .contains("gururmm-agent 1.1.0 did not reconnect to the server within " + DEADLINE_SECONDS + " s")
                .contains("1.0.0 was restored");
        assertThat(rolledBack.update().file()).isEqualTo(file);
        Awaitility.await("agent back online at 1.0.0").atMost(WAIT)
                .until(() -> admin.agent(agentId).status().equals("online") && admin.agent(agentId).version().equals("1.0.0"));

        // The hung build really ran, and the launcher killed it: never two agents on one state dir.
        Matcher pid = HANGING_PID.matcher(agent.log());
        assertThat(pid.find()).as("the hanging build was started (log: %s)", agent.log()).isTrue();
        long hungPid = Long.parseLong(pid.group(1));
        Awaitility.await("hung 1.1.0 killed").atMost(Duration.ofSeconds(30))
                .until(() -> ProcessHandle.of(hungPid).map(p -> !p.isAlive()).orElse(true));
        assertThat(agent.log()).contains("UPDATE ROLLED BACK");
        assertThat(Files.readString(agent.stateDir().resolve("versions/current")).trim()).isEqualTo("1.0.0");
        assertThat(Files.readString(agent.stateDir().resolve("update/bad-versions"))).contains("1.1.0");
        assertThat(Files.exists(agent.stateDir().resolve("update/pending.json"))).isFalse();

        // The restored version works.
        UUID command = admin.runCommand(agentId, new CommandRequest("sh", "echo back-on-1.0.0", null, 30)).commandId();
        assertThat(admin.awaitCommand(command, Duration.ofSeconds(60)).stdout()).isEqualTo("back-on-1.0.0\n");
    }
}
