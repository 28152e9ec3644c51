package com.gururmm.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.gururmm.client.GuruClient;
import com.gururmm.protocol.api.Commands.CommandRequest;
import com.gururmm.protocol.api.Commands.CommandView;
import com.gururmm.testkit.AgentProcess;
import com.gururmm.testkit.FaultProxy;
import com.gururmm.testkit.TestDatabase;
import com.gururmm.testkit.TestServer;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A connection that goes quiet instead of closing: the agent process frozen (SIGSTOP, a laptop
 * asleep) and the network black-holing every byte (a NAT that forgot the flow). Both sides must
 * give up on the dead connection by themselves, the agent must come back on its own within a
 * bounded time once things recover, and what was queued meanwhile runs exactly once.
 * TestServer's heartbeat is 1 s, so "gave up" means a few seconds here (minutes in production).
 */
@ParameterizedClass
@EnumSource(TestDatabase.Kind.class)
@Timeout(150)
class StalledConnectionTest {
    /** With a 1 s heartbeat: 3 s of silence, a bounded connect (5 s) and a few seconds of back-off. */
    private static final Duration RECONNECT_WITHIN = Duration.ofSeconds(25);
    private static final Duration PATIENCE = Duration.ofSeconds(45);

    @Parameter
    TestDatabase.Kind kind;

    @Test
    void agentFrozenLongerThanBothTimeoutsReconnectsAndRunsTheQueuedCommandOnce() throws Exception {
        try (TestServer server = TestServer.start(kind)) {
            GuruClient client = server.adminClient();
            try (AgentProcess agent = AgentProcess.create(server.url(), server.enrollmentToken())) {
                UUID agentId = agent.start().awaitOnline(client);
                Path runs = Files.createTempFile("gururmm-runs", ".log");

                agent.suspend();
                long frozenAt = System.nanoTime();
                com.gururmm.protocol.api.Commands.CommandSubmitted submitted;
                try {
                    // The server gives up on the silent connection (idle timeout: two heartbeats)...
                    await("server drops the frozen agent").atMost(PATIENCE).until(() -> client.agent(agentId).status().equals("offline"));
                    submitted = client.runCommand(agentId, new CommandRequest("sh", "echo run >> " + runs + "\necho back", null, 30));
                    assertThat(submitted.status()).isEqualTo("queued");
                    // ...and the freeze lasts well past the agent's own limit (three heartbeats), so on
                    // waking it finds its link silent far too long and its heartbeat timer overdue.
                    stayFrozenUntil(frozenAt + Duration.ofSeconds(12).toNanos());
                    assertThat(client.command(submitted.commandId()).status()).isEqualTo("queued");
                } finally {
                    agent.resume();
                }

                awaitOrShowLog(agent, "agent online again after SIGCONT", RECONNECT_WITHIN,
                        () -> client.agent(agentId).status().equals("online"));
                assertRanExactlyOnce(client, agent, submitted.commandId(), runs);
            }
        }
    }

    @Test
    void blackHoledConnectionIsReplacedOnceTheNetworkHeals() throws Exception {
        try (TestServer server = TestServer.start(kind); FaultProxy proxy = new FaultProxy(server.port())) {
            GuruClient client = server.adminClient();
            try (AgentProcess agent = AgentProcess.create(URI.create("http://127.0.0.1:" + proxy.port()), server.enrollmentToken())) {
                UUID agentId = agent.start().awaitOnline(client);
                Path runs = Files.createTempFile("gururmm-runs", ".log");

                proxy.blackhole();
                // Neither side hears a close: each must notice the silence on its own.
                await("server drops the silent connection").atMost(PATIENCE).until(() -> client.agent(agentId).status().equals("offline"));
                awaitOrShowLog(agent, "agent gives up on the silent connection and dials again", PATIENCE,
                        () -> proxy.blackholedAccepts() >= 1);
                var submitted = client.runCommand(agentId, new CommandRequest("sh", "echo run >> " + runs + "\necho back", null, 30));
                assertThat(submitted.status()).isEqualTo("queued");

                // The attempt in flight leads nowhere either (accepted, never answered): it must time out.
                proxy.heal();
                awaitOrShowLog(agent, "agent online again after the network healed", RECONNECT_WITHIN,
                        () -> client.agent(agentId).status().equals("online"));
                assertRanExactlyOnce(client, agent, submitted.commandId(), runs);
            }
        }
    }

    /**
     * A laptop that slept: the process was frozen and meanwhile the network forgot its flow, so on
     * waking the old connection is silent for good (no close, no reset ever arrives) while the
     * agent's heartbeat timer fires long overdue.
     */
    @Test
    void agentWakingOnAConnectionTheNetworkForgotReconnectsAndRunsTheQueuedCommandOnce() throws Exception {
        try (TestServer server = TestServer.start(kind); FaultProxy proxy = new FaultProxy(server.port())) {
            GuruClient client = server.adminClient();
            try (AgentProcess agent = AgentProcess.create(URI.create("http://127.0.0.1:" + proxy.port()), server.enrollmentToken())) {
                UUID agentId = agent.start().awaitOnline(client);
                Path runs = Files.createTempFile("gururmm-runs", ".log");

                agent.suspend();
                long frozenAt = System.nanoTime();
                com.gururmm.protocol.api.Commands.CommandSubmitted submitted;
                try {
                    proxy.blackhole();
                    await("server drops the sleeping agent").atMost(PATIENCE).until(() -> client.agent(agentId).status().equals("offline"));
                    submitted = client.runCommand(agentId, new CommandRequest("sh", "echo run >> " + runs + "\necho back", null, 30));
                    assertThat(submitted.status()).isEqualTo("queued");
                    stayFrozenUntil(frozenAt + Duration.ofSeconds(12).toNanos());
                    proxy.heal(); // the network is back before the machine wakes; the old flow stays dead
                } finally {
                    agent.resume();
                }

                awaitOrShowLog(agent, "agent online again after waking", RECONNECT_WITHIN,
                        () -> client.agent(agentId).status().equals("online"));
                assertRanExactlyOnce(client, agent, submitted.commandId(), runs);
            }
        }
    }

    /**
     * The agent hears nothing while the server still hears the agent: the agent gives up first and
     * reconnects while the server holds its old connection. The new connection must replace the
     * stale one (not be refused, and not be marked offline when the stale one finally closes).
     */
    @Test
    void aReconnectWhileTheServerStillHoldsTheStaleConnectionReplacesIt() throws Exception {
        try (TestServer server = TestServer.start(kind); FaultProxy proxy = new FaultProxy(server.port())) {
            GuruClient client = server.adminClient();
            try (AgentProcess agent = AgentProcess.create(URI.create("http://127.0.0.1:" + proxy.port()), server.enrollmentToken())) {
                UUID agentId = agent.start().awaitOnline(client);
                Path runs = Files.createTempFile("gururmm-runs", ".log");

                proxy.muteServer();
                awaitOrShowLog(agent, "agent gives up on the connection it hears nothing on and reconnects", PATIENCE,
                        () -> agent.log().split("connected to the server as agent", -1).length == 3);
                UUID id = client.runCommand(agentId, new CommandRequest("sh", "echo run >> " + runs + "\necho back", null, 30)).commandId();
                assertRanExactlyOnce(client, agent, id, runs);
                assertThat(client.agent(agentId).status()).isEqualTo("online");
            }
        }
    }

    private static void assertRanExactlyOnce(GuruClient client, AgentProcess agent, UUID commandId, Path runs) throws Exception {
        CommandView view = client.awaitCommand(commandId, PATIENCE);
        assertThat(view.status()).as(agent.log()).isEqualTo("completed");
        assertThat(view.stdout()).isEqualTo("back\n");
        // Once acknowledged the agent forgets the result; a second run would have appended again by then.
        await().atMost(PATIENCE).until(() -> agent.outboxEmpty());
        assertThat(Files.readAllLines(runs)).containsExactly("run");
    }

    private static void awaitOrShowLog(AgentProcess agent, String what, Duration atMost, java.util.concurrent.Callable<Boolean> condition) {
        try {
            await(what).atMost(atMost).until(condition);
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            throw new AssertionError(what + " did not happen within " + atMost.toSeconds() + " s; agent log:\n" + agent.log(), e);
        }
    }

    /** The length of the stall is the scenario itself, not a wait for something to happen. */
    private static void stayFrozenUntil(long nanoTime) throws InterruptedException {
        long left = nanoTime - System.nanoTime();
        if (left > 0) {
            Thread.sleep(Duration.ofNanos(left));
        }
    }

}
