package com.gururmm.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.gururmm.client.GuruClient;
import com.gururmm.protocol.api.Commands.CommandRequest;
import com.gururmm.protocol.api.Commands.CommandView;
import com.gururmm.testkit.AgentProcess;
import com.gururmm.testkit.FaultProxy;
import com.gururmm.testkit.Fleet;
import com.gururmm.testkit.TestDatabase;
import com.gururmm.testkit.TestServer;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Nothing lost, nothing run twice, nothing stuck in {@code running}: the agent is killed
 * mid-command, the server restarts mid-command, the connection drops between a result and
 * its acknowledgement, and an agent vanishes for good.
 */
@ParameterizedClass
@EnumSource(TestDatabase.Kind.class)
class FaultToleranceTest {
    private static final Duration PATIENCE = Duration.ofSeconds(45);

    @Parameter
    TestDatabase.Kind kind;

    /** A script that appends one line per run to {@code log}: its line count is the number of runs. */
    private static String countingScript(Path log, String body) {
        return "echo run >> " + log + "\n" + body;
    }

    private static List<String> lines(Path file) throws Exception {
        return Files.readAllLines(file);
    }

    @Test
    void agentKilledMidCommandReportsFailedKillsTheOrphanAndNeverRunsItAgain() throws Exception {
        try (Fleet fleet = Fleet.start(kind)) {
            GuruClient client = fleet.admin();
            AgentProcess agent = fleet.addAgent();
            Path log = Files.createTempFile("gururmm-runs", ".log");
            UUID id = client.runCommand(agent.agentId(),
                    new CommandRequest("bash", countingScript(log, "sleep 20\necho finished >> " + log), null, 120)).commandId();
            await().atMost(PATIENCE).until(() -> client.command(id).startedAt() != null);

            agent.kill();
            await().atMost(PATIENCE).until(() -> client.agent(agent.agentId()).status().equals("offline"));
            assertThat(client.command(id).status()).isEqualTo("running");

            agent.start();
            CommandView view = client.awaitCommand(id, PATIENCE);
            assertThat(view.status()).isEqualTo("failed");
            assertThat(view.error()).isEqualTo("agent restarted during execution");
            assertThat(processesMentioning(id)).as("orphaned process tree was killed").isEmpty();
            assertThat(lines(log)).containsExactly("run");
        }
    }

    @Test
    void serverRestartMidCommandLosesNoResult() throws Exception {
        try (Fleet fleet = Fleet.start(kind)) {
            AgentProcess agent = fleet.addAgent();
            Path log = Files.createTempFile("gururmm-runs", ".log");
            UUID id = fleet.admin().runCommand(agent.agentId(),
                    new CommandRequest("bash", countingScript(log, "sleep 2\necho done"), null, 60)).commandId();
            await().atMost(PATIENCE).until(() -> fleet.admin().command(id).startedAt() != null);

            fleet.server().stop();
            // The command finishes while the server is down: its result waits in the agent's outbox.
            await().atMost(PATIENCE).until(() -> agent.outboxHolds(id));
            fleet.server().startAgain();

            GuruClient client = fleet.server().adminClient();
            CommandView view = client.awaitCommand(id, PATIENCE);
            assertThat(view.status()).isEqualTo("completed");
            assertThat(view.stdout()).isEqualTo("done\n");
            assertThat(view.exitCode()).isZero();
            assertThat(lines(log)).containsExactly("run");
            await().atMost(PATIENCE).until(() -> agent.outboxEmpty());
        }
    }

    @Test
    void connectionDroppedBetweenResultAndAckResendsAndStoresOnce() throws Exception {
        try (TestServer server = TestServer.start(kind); FaultProxy proxy = new FaultProxy(server.port())) {
            GuruClient client = server.adminClient();
            try (AgentProcess agent = AgentProcess.create(URI.create("http://127.0.0.1:" + proxy.port()), server.enrollmentToken())) {
                UUID agentId = agent.start().awaitOnline(client);
                Path log = Files.createTempFile("gururmm-runs", ".log");
                proxy.dropWhenServerSends("\"result_ack\"");

                UUID id = client.runCommand(agentId, new CommandRequest("bash", countingScript(log, "echo hi"), null, 30)).commandId();
                CommandView first = client.awaitCommand(id, PATIENCE);
                assertThat(first.status()).isEqualTo("completed");
                await().atMost(PATIENCE).until(() -> proxy.drops() == 1);

                // The agent reconnects, resends the unacknowledged result, and this time gets the ack.
                await().atMost(PATIENCE).until(() -> agent.outboxEmpty());
                CommandView after = client.command(id);
                assertThat(after.stdout()).isEqualTo("hi\n");
                assertThat(after.completedAt()).isEqualTo(first.completedAt());
                assertThat(lines(log)).containsExactly("run");
                assertThat(agent.log().split("connected to the server as agent", -1)).as("agent reconnected once").hasSize(3);
            }
        }
    }

    @Test
    void aCancelMadeWhileTheAgentIsCutOffReachesItWhenItReconnects() throws Exception {
        try (TestServer server = TestServer.start(kind, java.util.Map.of("GURURMM_AGENT_LOST_GRACE_SECONDS", "60"));
             FaultProxy proxy = new FaultProxy(server.port())) {
            GuruClient client = server.adminClient();
            try (AgentProcess agent = AgentProcess.create(URI.create("http://127.0.0.1:" + proxy.port()), server.enrollmentToken())) {
                UUID agentId = agent.start().awaitOnline(client);
                Path log = Files.createTempFile("gururmm-runs", ".log");
                UUID id = client.runCommand(agentId, new CommandRequest("bash",
                        "echo started\nsleep 20\necho finished >> " + log, null, 60)).commandId();
                await().atMost(PATIENCE).until(() -> client.command(id).startedAt() != null);

                proxy.partition();
                await().atMost(PATIENCE).until(() -> client.agent(agentId).status().equals("offline"));
                assertThat(client.cancelCommand(id).status()).isEqualTo("cancelled");
                proxy.heal();

                CommandView view = await().atMost(PATIENCE).until(() -> client.command(id), v -> v.stdout() != null);
                assertThat(view.status()).isEqualTo("cancelled");
                assertThat(view.stdout()).isEqualTo("started\n");
                // The agent kills the tree before it reports, so nothing of it may be left by now.
                assertThat(processesMentioning(id)).isEmpty();
                assertThat(lines(log)).as("the process was killed, not left to finish").isEmpty();
            }
        }
    }

    @Test
    void commandOfAnAgentThatNeverReturnsEndsAsAgentLost() {
        try (Fleet fleet = Fleet.start(kind)) {
            AgentProcess agent = fleet.addAgent();
            UUID id = fleet.admin().runCommand(agent.agentId(), new CommandRequest("bash", "sleep 30", null, 2)).commandId();
            await().atMost(PATIENCE).until(() -> fleet.admin().command(id).startedAt() != null);
            agent.kill();
            // timeout 2 s + grace 3 s (testkit), then the sweeper's next pass
            CommandView view = fleet.admin().awaitCommand(id, Duration.ofSeconds(30));
            assertThat(view.status()).isEqualTo("failed");
            assertThat(view.error()).startsWith("agent lost");
            assertThat(view.completedAt()).isNotNull();
        }
    }

    @Test
    void commandForAnOfflineAgentIsQueuedAndDeliveredWhenItConnects() throws Exception {
        try (Fleet fleet = Fleet.start(kind)) {
            GuruClient client = fleet.admin();
            AgentProcess agent = fleet.addAgent();
            agent.stop();
            await().atMost(PATIENCE).until(() -> client.agent(agent.agentId()).status().equals("offline"));

            Path log = Files.createTempFile("gururmm-runs", ".log");
            var submitted = client.runCommand(agent.agentId(), new CommandRequest("sh", countingScript(log, "echo delivered"), null, 30));
            assertThat(submitted.status()).isEqualTo("queued");
            Thread.sleep(1_500);
            assertThat(client.command(submitted.commandId()).status()).isEqualTo("queued");

            agent.start();
            CommandView view = client.awaitCommand(submitted.commandId(), PATIENCE);
            assertThat(view.status()).isEqualTo("completed");
            assertThat(view.stdout()).isEqualTo("delivered\n");
            assertThat(lines(log)).containsExactly("run");
        }
    }

    @Test
    void queuedCommandExpiresAfterItsTtl() {
        try (TestServer server = TestServer.start(kind, java.util.Map.of("GURURMM_COMMAND_QUEUE_TTL_SECONDS", "2"));
             Fleet fleet = new Fleet(server)) {
            AgentProcess agent = fleet.addAgent();
            agent.stop();
            await().atMost(PATIENCE).until(() -> fleet.admin().agent(agent.agentId()).status().equals("offline"));
            UUID id = fleet.admin().runCommand(agent.agentId(), new CommandRequest("sh", "echo never", null, 30)).commandId();
            CommandView view = fleet.admin().awaitCommand(id, Duration.ofSeconds(20));
            assertThat(view.status()).isEqualTo("failed");
            assertThat(view.error()).startsWith("expired");
        }
    }


    private static List<ProcessHandle> processesMentioning(UUID commandId) {
        String needle = commandId.toString();
        return ProcessHandle.allProcesses()
                .filter(p -> p.info().commandLine().map(c -> c.contains(needle)).orElse(false))
                .filter(ProcessHandle::isAlive)
                .toList();
    }
}
