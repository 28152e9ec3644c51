package com.gururmm.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.gururmm.client.GuruClient;
import com.gururmm.client.GuruClient.RawResponse;
import com.gururmm.protocol.Json;
import com.gururmm.protocol.api.Commands.CommandRequest;
import com.gururmm.protocol.api.Commands.CommandView;
import com.gururmm.testkit.AgentProcess;
import com.gururmm.testkit.ServerProcess;
import com.gururmm.testkit.TestDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Whatever the server acknowledges is on disk first: the packaged server, killed with SIGKILL
 * the moment it answered, comes back with every acknowledged write. H2 runs the zero-setup
 * default (no DATABASE_URL: the embedded file in the data dir); PostgreSQL a fresh database.
 */
@ParameterizedClass
@EnumSource(TestDatabase.Kind.class)
class CrashDurabilityTest {
    private static final int ROUNDS = 4;

    @Parameter
    TestDatabase.Kind kind;

    @Test
    @Timeout(value = 6, unit = TimeUnit.MINUTES)
    void killNineRightAfterEveryAcknowledgementLosesNothing() throws Exception {
        Path dataDir = Files.createTempDirectory("gururmm-crash-").resolve("data");
        Map<String, String> env = new HashMap<>();
        env.put("GURURMM_AGENT_LOST_GRACE_SECONDS", "3");
        TestDatabase db = kind == TestDatabase.Kind.POSTGRES ? TestDatabase.create(kind) : null;
        if (db != null) {
            env.put("DATABASE_URL", db.jdbcUrl());
        }
        try (ServerProcess server = ServerProcess.create(dataDir, env).start();
             AgentProcess agent = AgentProcess.create(server.url(), server.enrollmentToken()).start()) {
            UUID agentId = agent.awaitOnline(server.adminClient());
            for (int round = 0; round < ROUNDS; round++) {
                GuruClient admin = server.adminClient();
                String marker = "round-" + round + "-" + UUID.randomUUID();

                // (a) 201 for a new command, then an immediate crash: the command must survive.
                UUID id = admin.runCommand(agentId, new CommandRequest("sh", "echo " + marker, null, 30)).commandId();
                server.kill();
                server.start();
                admin = server.adminClient();
                RawResponse after = admin.raw("GET", "/api/commands/" + id, null, Map.of());
                assertThat(after.status()).as("round %d: command %s answered 201 before the crash; log:\n%s", round, id, server.log())
                        .isEqualTo(200);

                // (b) the result is stored (shown completed, acknowledged to the agent), then an immediate crash.
                GuruClient poller = admin;
                await("round " + round + ": command completed").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(2))
                        .until(() -> poller.command(id).status().equals("completed"));
                server.kill();
                server.start();
                CommandView stored = server.adminClient().command(id);
                assertThat(stored.status()).as("round %d: a stored, acknowledged result survives the crash", round).isEqualTo("completed");
                assertThat(stored.stdout()).isEqualTo(marker + "\n");

                // The agent dropped the result from its outbox on the ack: nothing may turn it into "agent lost" later.
                agent.awaitOnline(server.adminClient());
                assertThat(server.adminClient().command(id).status()).isEqualTo("completed");
            }
            // Past the agent-lost deadline of the last command (timeout 30 s + grace 3 s is too long to
            // wait): every command of every round is still completed with its output after all restarts.
            for (CommandView view : server.adminClient().agentCommands(agentId)) {
                assertThat(view.status()).as(Json.mapper().writeValueAsString(view)).isEqualTo("completed");
                assertThat(view.stdout()).startsWith("round-");
            }
            assertThat(server.adminClient().agentCommands(agentId)).hasSize(ROUNDS);
        } finally {
            if (db != null) {
                db.close();
            }
        }
    }
}
