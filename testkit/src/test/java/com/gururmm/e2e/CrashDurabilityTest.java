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
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Whatever the server acknowledges is on disk first: the packaged server, killed with SIGKILL
 * the moment it answered, comes back with every acknowledged write. H2 runs the zero-setup
 * default (no DATABASE_URL: the embedded file in the data dir); PostgreSQL a fresh database.
 * The third variant is the embedded file with a one-second RETENTION_TIME, so H2 starts writing
 * commits into reused file space within seconds instead of after 45 s: that is where H2 2.5.252
 * lost the newest commit on a kill -9 (docs/OPERATIONS.md, "What acknowledged means").
 */
@ParameterizedClass
@ValueSource(strings = {"h2-default", "h2-space-reuse", "postgres"})
class CrashDurabilityTest {
    /** Each round crashes the server twice: right after a 201 and right after a result_ack. */
    private static final int ROUNDS = 5;

    @Parameter
    String variant;

    @Test
    @Timeout(value = 6, unit = TimeUnit.MINUTES)
    void killNineRightAfterEveryAcknowledgementLosesNothing() throws Exception {
        Path dataDir = Files.createTempDirectory("gururmm-crash-").resolve("data");
        Map<String, String> env = new HashMap<>();
        env.put("GURURMM_AGENT_LOST_GRACE_SECONDS", "3");
        TestDatabase db = variant.equals("postgres") ? TestDatabase.create(TestDatabase.Kind.POSTGRES) : null;
        if (db != null) {
            env.put("DATABASE_URL", db.jdbcUrl());
        } else if (variant.equals("h2-space-reuse")) {
            // The default embedded URL (ServerConfig) plus a short retention; the server adds WRITE_DELAY=0 itself.
            env.put("DATABASE_URL", "jdbc:h2:file:" + dataDir.resolve("gururmm")
                    + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH;RETENTION_TIME=1000");
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

                // (b) the result is acknowledged to the agent (which deletes it from its outbox only on
                // result_ack, sent after the store returned), then an immediate crash. Being readable
                // as completed is not enough: another session can see a commit a moment before it is written.
                ensureOnline(server, agent, agentId);
                GuruClient poller = admin;
                await("round " + round + ": result acknowledged").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(2))
                        .until(() -> !agent.outboxHolds(id) && poller.command(id).status().equals("completed"));
                server.kill();
                server.start();
                CommandView stored = server.adminClient().command(id);
                assertThat(stored.status()).as("round %d: a stored, acknowledged result survives the crash", round).isEqualTo("completed");
                assertThat(stored.stdout()).isEqualTo(marker + "\n");

                // The agent dropped the result from its outbox on the ack: nothing may turn it into "agent lost" later.
                ensureOnline(server, agent, agentId);
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

    /**
     * Waits for the agent to reconnect to the restarted server. Should it not (reconnecting is
     * StalledConnectionTest's subject, not this test's), the agent is restarted on the same state
     * dir, outbox and journal included: this test is about what the server keeps.
     */
    private static void ensureOnline(ServerProcess server, AgentProcess agent, UUID agentId) {
        GuruClient admin = server.adminClient();
        try {
            await("agent back online").atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100))
                    .until(() -> admin.agents().stream().anyMatch(a -> a.id().equals(agentId) && a.status().equals("online")));
        } catch (org.awaitility.core.ConditionTimeoutException stuck) {
            System.out.println("agent did not reconnect within 20 s; restarting it on its state dir");
            agent.stop();
            agent.start().awaitOnline(admin);
        }
    }
}
