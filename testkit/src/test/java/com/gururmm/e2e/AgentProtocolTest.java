package com.gururmm.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.gururmm.client.GuruClient;
import com.gururmm.protocol.Json;
import com.gururmm.protocol.api.Agents.EnrollRequest;
import com.gururmm.protocol.api.Agents.EnrollResponse;
import com.gururmm.protocol.api.Commands.CommandRequest;
import com.gururmm.protocol.wire.AgentMessage;
import com.gururmm.protocol.wire.ServerMessage;
import com.gururmm.protocol.wire.Wire;
import com.gururmm.testkit.TestDatabase;
import com.gururmm.testkit.TestServer;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The agent WebSocket protocol spoken by a hand-driven client: hostile and malformed frames
 * are refused without effect, and the server's redelivery rules hold.
 */
class AgentProtocolTest {
    private static TestServer server;
    private static GuruClient admin;

    @BeforeAll
    static void start() {
        server = TestServer.start(TestDatabase.Kind.H2);
        admin = server.adminClient();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void garbageFramesAreRefusedAndChangeNothing() throws Exception {
        RawAgent agent = RawAgent.enroll(server);
        agent.send(new AgentMessage.Heartbeat(Instant.now()));
        assertThat(((ServerMessage.Refused) agent.next()).error()).isEqualTo("hello_required");
        assertThat(admin.agent(agent.agentId).status()).isEqualTo("offline");

        agent.hello();
        for (String garbage : List.of("garbage", "{}", "{\"type\":\"no_such_type\"}", "[1,2]", "{\"type\":\"command_result\"}",
                "{\"type\":\"command_result\",\"command_id\":\"not-a-uuid\"}", "{\"type\":\"hello\",\"protocol_version\":\"one\"}")) {
            agent.send(garbage);
            ServerMessage reply = agent.next();
            assertThat(reply).as(garbage).isInstanceOf(ServerMessage.Refused.class);
        }
        // A result for a command that is someone else's (or nobody's) changes nothing but is acknowledged.
        UUID foreign = UUID.randomUUID();
        agent.send(new AgentMessage.CommandResult(foreign, "completed", 0, "pwned", "", false, false, null, Instant.now(), Instant.now()));
        assertThat(agent.next()).isEqualTo(new ServerMessage.ResultAck(foreign));
        assertThat(admin.agent(agent.agentId).status()).isEqualTo("online");
        assertThat(server.anonymousClient().raw("GET", "/healthz", null, java.util.Map.of()).status()).isEqualTo(200);
        agent.socket.abort();
    }

    @Test
    void aBinaryFrameIsRefusedAndTheConnectionStays() throws Exception {
        RawAgent agent = RawAgent.enroll(server);
        agent.hello();
        for (int size : new int[] {1, 5_000, 60_000}) {
            agent.socket.sendBinary(java.nio.ByteBuffer.wrap(new byte[size]), true).join();
            ServerMessage reply = agent.next();
            assertThat(reply).as("answer to a binary frame of " + size + " bytes").isInstanceOfSatisfying(ServerMessage.Refused.class,
                    r -> assertThat(r.error()).isEqualTo("binary_frame"));
        }
        assertThat(agent.closed).isNotDone();
        assertThat(admin.agent(agent.agentId).status()).isEqualTo("online");
        agent.socket.abort();
    }

    @Test
    void oversizeFrameClosesTheConnectionWithoutHarm() throws Exception {
        RawAgent agent = RawAgent.enroll(server);
        agent.hello();
        String huge = "{\"type\":\"heartbeat\",\"pad\":\"" + "x".repeat(Wire.MAX_FRAME_BYTES + 10) + "\"}";
        agent.socket.sendText(huge, true);
        assertThat(agent.closed.get(20, TimeUnit.SECONDS)).isIn(1009, -1);
        await().atMost(Duration.ofSeconds(10)).until(() -> admin.agent(agent.agentId).status().equals("offline"));
    }

    @Test
    void wrongProtocolVersionIsRefusedAndClosed() throws Exception {
        RawAgent agent = RawAgent.enroll(server);
        agent.send("{\"type\":\"hello\",\"protocol_version\":99,\"inventory\":{}}");
        assertThat(((ServerMessage.Refused) agent.next()).error()).isEqualTo("unsupported_protocol");
        assertThat(agent.closed.get(10, TimeUnit.SECONDS)).isEqualTo(1000);
    }

    @Test
    void aCommandSentButNeverStartedIsDeliveredAgainOnReconnect() throws Exception {
        String machine = UUID.randomUUID().toString();
        EnrollResponse enrolled = server.anonymousClient().enroll(new EnrollRequest(server.enrollmentToken(), "d", machine, "redeliver",
                "linux", "amd64", "0.1.0", "stable"));
        RawAgent first = new RawAgent(server, enrolled, machine);
        first.hello();
        UUID id = admin.runCommand(enrolled.agentId(), new CommandRequest("sh", "echo once", null, 30)).commandId();
        ServerMessage.RunCommand delivered = (ServerMessage.RunCommand) first.next();
        assertThat(delivered.commandId()).isEqualTo(id);
        assertThat(admin.command(id).status()).isEqualTo("running");
        first.socket.abort(); // lost before the agent could say it started

        RawAgent second = new RawAgent(server, enrolled, machine);
        second.hello();
        ServerMessage.RunCommand again = (ServerMessage.RunCommand) second.next();
        assertThat(again.commandId()).isEqualTo(id);
        assertThat(again.script()).isEqualTo("echo once");

        second.send(new AgentMessage.CommandStarted(id, Instant.now()));
        second.send(new AgentMessage.CommandResult(id, "completed", 0, "once\n", "", false, false, null, Instant.now(), Instant.now()));
        assertThat(second.next()).isEqualTo(new ServerMessage.ResultAck(id));
        // The same result again (a resend after a lost ack) is acknowledged and stored only once.
        var stored = admin.command(id);
        second.send(new AgentMessage.CommandResult(id, "completed", 1, "different\n", "", false, false, null, Instant.now(), Instant.now()));
        assertThat(second.next()).isEqualTo(new ServerMessage.ResultAck(id));
        assertThat(admin.command(id)).isEqualTo(stored);
        second.socket.abort();

        RawAgent third = new RawAgent(server, enrolled, machine);
        third.hello();
        assertThat(third.frames.poll(1500, TimeUnit.MILLISECONDS)).as("a finished command is not delivered again").isNull();
        third.socket.abort();
    }

    @Test
    void lastSeenAndStatusFollowHeartbeats() throws Exception {
        RawAgent agent = RawAgent.enroll(server);
        agent.hello();
        Instant first = admin.agent(agent.agentId).lastSeen();
        Thread.sleep(1_100);
        agent.send(new AgentMessage.Heartbeat(Instant.now()));
        await().atMost(Duration.ofSeconds(2)).until(() -> admin.agent(agent.agentId).lastSeen().isAfter(first));
        // Silent agent: the server drops it after two heartbeat intervals (testkit: 1 s) of silence.
        Instant silentFrom = Instant.now();
        await().atMost(Duration.ofSeconds(10)).until(() -> admin.agent(agent.agentId).status().equals("offline"));
        assertThat(Duration.between(silentFrom, Instant.now())).isLessThan(Duration.ofSeconds(5));
        assertThat(Json.mapper().writeValueAsString(admin.agent(agent.agentId))).contains("\"status\":\"offline\"");
    }

    @Test
    void anAgentCannotReportUpdateFailuresForABuildItWasNotOfferedToPauseItsRollout() throws Exception {
        // A windows build: a linux test agent is never offered it.
        String file = "gururmm-agent-windows-amd64-9.9.9.jar";
        admin.publishRelease(file, "not really a jar".getBytes(java.nio.charset.StandardCharsets.UTF_8), "stable");
        RawAgent agent = RawAgent.enroll(server);
        agent.hello();
        agent.send(new AgentMessage.UpdateStatus("failed", "0.1.0", "9.9.9", file, "forged failure", Instant.now()));
        ServerMessage reply = agent.next();
        assertThat(reply).isInstanceOf(ServerMessage.Refused.class);
        assertThat(((ServerMessage.Refused) reply).message()).contains("not offered to this agent");
        var release = admin.releases().stream().filter(r -> r.file().equals(file)).findFirst().orElseThrow();
        assertThat(release.rollout() == null || !release.rollout().paused()).as("rollout not paused by a forged report").isTrue();
        agent.socket.abort();
    }
}
