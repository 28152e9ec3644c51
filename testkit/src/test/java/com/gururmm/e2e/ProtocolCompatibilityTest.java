package com.gururmm.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.gururmm.client.GuruClient;
import com.gururmm.protocol.Platform;
import com.gururmm.protocol.api.Agents.EnrollRequest;
import com.gururmm.protocol.api.Agents.EnrollResponse;
import com.gururmm.protocol.api.Commands.CommandRequest;
import com.gururmm.protocol.wire.AgentMessage;
import com.gururmm.protocol.wire.Inventory;
import com.gururmm.protocol.wire.ServerMessage;
import com.gururmm.protocol.wire.Wire;
import com.gururmm.server.gateway.AgentGateway;
import com.gururmm.testkit.AgentProcess;
import com.gururmm.testkit.TestDatabase;
import com.gururmm.testkit.TestServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Protocol versions (docs/PROTOCOL.md, "Versions and compatibility"): an agent below the
 * supported range is offered its update and then refused, never served a command; one above it
 * is refused naming both versions; one inside it is welcomed at the version both speak; a newer
 * agent's unknown message type costs nothing.
 */
@Timeout(300)
class ProtocolCompatibilityTest {
    private static TestServer server;
    private static GuruClient admin;

    /** Each raw agent's credential, for its HTTP downloads. */
    private static final Map<UUID, String> TOKENS = new ConcurrentHashMap<>();

    @TempDir
    Path work;

    @BeforeAll
    static void start() {
        server = TestServer.start(TestDatabase.Kind.H2);
        admin = server.adminClient();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    /** A server whose accepted range is {@code range} ("min,max"), standing in for builds that do not exist yet. */
    private static TestServer serverSpeaking(String range) {
        System.setProperty(AgentGateway.TEST_PROTOCOL_RANGE, range);
        try {
            return TestServer.start(TestDatabase.Kind.H2);
        } finally {
            System.clearProperty(AgentGateway.TEST_PROTOCOL_RANGE);
        }
    }

    private static RawAgent enroll(TestServer on, String os, String arch) {
        String machine = UUID.randomUUID().toString();
        EnrollResponse enrolled = on.anonymousClient().enroll(new EnrollRequest(on.enrollmentToken(), "dev-" + machine, machine,
                "compat-" + machine.substring(0, 8), os, arch, "0.1.0", "stable"));
        TOKENS.put(enrolled.agentId(), enrolled.agentToken());
        return new RawAgent(on, enrolled, machine);
    }

    private static AgentMessage.Hello hello(RawAgent agent, int protocolVersion, String os, String arch) {
        return new AgentMessage.Hello(protocolVersion, new Inventory("compat", os, "test", arch, "0.1.0", "stable", agent.machineUid,
                "dev-" + agent.machineUid, List.of(), List.of(), Inventory.Health.ok()));
    }

    @Test
    void anAgentBelowTheMinimumIsOfferedItsUpdateThenRefusedAndClosedWithoutACommand() throws Exception {
        String file = "gururmm-agent-linux-amd64-9.9.9.jar";
        admin.publishRelease(file, "a build that speaks the current protocol".getBytes(StandardCharsets.UTF_8), "stable");
        RawAgent agent = enroll(server, "linux", "amd64");
        UUID queued = admin.runCommand(agent.agentId, new CommandRequest("sh", "echo must-not-run", null, 30)).commandId();

        agent.send(hello(agent, Wire.MIN_SUPPORTED_PROTOCOL - 1, "linux", "amd64"));

        ServerMessage.UpdateOffer offer = (ServerMessage.UpdateOffer) agent.next();
        assertThat(offer.file()).isEqualTo(file);
        assertThat(offer.downloadPath()).isEqualTo("/downloads/" + file);
        ServerMessage.Refused refused = (ServerMessage.Refused) agent.next();
        assertThat(refused.error()).isEqualTo("unsupported_protocol");
        assertThat(refused.message()).contains("protocol version " + (Wire.MIN_SUPPORTED_PROTOCOL - 1))
                .contains("this server speaks " + Wire.SUPPORTED).contains("offered " + file);
        assertThat(agent.closed.get(10, TimeUnit.SECONDS)).isEqualTo(1000);
        assertThat(agent.drain()).as("nothing after the refusal, no command").isEmpty();

        assertThat(admin.command(queued).status()).as("the command waits for the updated agent").isEqualTo("queued");
        var detail = admin.agent(agent.agentId);
        assertThat(detail.status()).isEqualTo("offline");
        // Recorded as offered, so the updated build's "succeeded" report is accepted.
        assertThat(detail.update().state()).isEqualTo("offered");
        assertThat(detail.update().file()).isEqualTo(file);
        // The agent fetches the build over HTTP with its own credential; the socket is not needed for that.
        var download = server.anonymousClient().raw("GET", offer.downloadPath(), null,
                Map.of("Authorization", "Bearer " + TOKENS.get(agent.agentId), "X-GuruRMM-Agent-Id", agent.agentId.toString()));
        assertThat(download.status()).isEqualTo(200);
    }

    @Test
    void aTooOldAgentIsOfferedItsBuildEvenWhereAStagedRolloutWouldHoldItBackButNotAPausedOne() throws Exception {
        String staged = "gururmm-agent-macos-arm64-9.9.9.jar";
        admin.publishRelease(staged, "staged build".getBytes(StandardCharsets.UTF_8), "stable");
        admin.setReleaseRollout(staged, 0, false); // nobody, in the normal course of things

        RawAgent outdated = enroll(server, "macos", "arm64");
        outdated.send(hello(outdated, Wire.MIN_SUPPORTED_PROTOCOL - 1, "macos", "arm64"));
        assertThat(((ServerMessage.UpdateOffer) outdated.next()).file()).as("it can do nothing until it updates").isEqualTo(staged);
        assertThat(((ServerMessage.Refused) outdated.next()).error()).isEqualTo("unsupported_protocol");
        assertThat(outdated.closed.get(10, TimeUnit.SECONDS)).isEqualTo(1000);

        admin.setReleaseRollout(staged, 100, true);
        RawAgent another = enroll(server, "macos", "arm64");
        another.send(hello(another, Wire.MIN_SUPPORTED_PROTOCOL - 1, "macos", "arm64"));
        ServerMessage.Refused refused = (ServerMessage.Refused) another.next();
        assertThat(refused.message()).as("a paused build is not offered").contains("No newer agent build");
        assertThat(another.closed.get(10, TimeUnit.SECONDS)).isEqualTo(1000);
    }

    @Test
    void anAgentBelowTheMinimumWithNoBuildToMoveToIsToldWhatToDo() throws Exception {
        RawAgent agent = enroll(server, "windows", "arm64"); // nothing is ever published for it here
        admin.runCommand(agent.agentId, new CommandRequest("powershell", "Write-Output no", null, 30));
        agent.send(hello(agent, Wire.MIN_SUPPORTED_PROTOCOL - 1, "windows", "arm64"));
        ServerMessage.Refused refused = (ServerMessage.Refused) agent.next();
        assertThat(refused.error()).isEqualTo("unsupported_protocol");
        assertThat(refused.message()).contains("No newer agent build for its platform and channel is published");
        assertThat(agent.closed.get(10, TimeUnit.SECONDS)).isEqualTo(1000);
        assertThat(agent.drain()).isEmpty();
    }

    @Test
    void anAgentNewerThanTheServerIsRefusedNamingBothVersions() throws Exception {
        RawAgent agent = enroll(server, "linux", "arm64");
        int newer = Wire.MAX_SUPPORTED_PROTOCOL + 1;
        agent.send(hello(agent, newer, "linux", "arm64"));
        ServerMessage.Refused refused = (ServerMessage.Refused) agent.next();
        assertThat(refused.error()).isEqualTo("unsupported_protocol");
        assertThat(refused.message()).contains("protocol version " + newer + ", newer than this server")
                .contains("which speaks " + Wire.SUPPORTED).contains("Upgrade the server");
        assertThat(agent.closed.get(10, TimeUnit.SECONDS)).isEqualTo(1000);
        assertThat(agent.drain()).isEmpty();
        assertThat(admin.agent(agent.agentId).status()).isEqualTo("offline");
    }

    @Test
    void messagesOfAnUnknownTypeFromANewerAgentAreIgnoredWithoutCostingTheConnection() throws Exception {
        RawAgent agent = RawAgent.enroll(server);
        agent.hello();
        // More than the 20 invalid frames that close a connection: these are not invalid, just new.
        // Each type is answered once; later frames of it cost no reply (a peer that never reads
        // cannot make the server queue answers without bound).
        for (int i = 0; i < 25; i++) {
            agent.send("{\"type\":\"from_a_newer_agent\",\"detail\":{\"n\":" + i + "}}");
        }
        agent.send("{\"type\":\"another_new_one\"}");
        List<ServerMessage> replies = agent.syncAndDrain();
        assertThat(replies).hasSize(2).allSatisfy(m -> assertThat(((ServerMessage.Refused) m).error()).isEqualTo("unknown_message_type"));
        assertThat(((ServerMessage.Refused) replies.get(0)).message()).contains("from_a_newer_agent");
        assertThat(((ServerMessage.Refused) replies.get(1)).message()).contains("another_new_one");
        // Known frames with fields this server does not know are handled normally.
        UUID id = admin.runCommand(agent.agentId, new CommandRequest("sh", "echo new", null, 30)).commandId();
        assertThat(((ServerMessage.RunCommand) agent.next()).commandId()).isEqualTo(id);
        agent.send("{\"type\":\"command_result\",\"command_id\":\"" + id + "\",\"status\":\"completed\",\"exit_code\":0,\"stdout\":\"new\\n\","
                + "\"stderr\":\"\",\"stdout_truncated\":false,\"stderr_truncated\":false,\"started_at\":\"" + Instant.now()
                + "\",\"completed_at\":\"" + Instant.now() + "\",\"cpu_seconds\":0.25}");
        assertThat(agent.next()).isEqualTo(new ServerMessage.ResultAck(id));
        assertThat(admin.command(id).stdout()).isEqualTo("new\n");
        assertThat(agent.closed).isNotDone();
        assertThat(admin.agent(agent.agentId).status()).isEqualTo("online");
        agent.socket.abort();
    }

    @Test
    void anOlderAgentInsideTheRangeIsWelcomedAtItsVersionAndServed() throws Exception {
        try (TestServer older = serverSpeaking("0," + Wire.PROTOCOL_VERSION)) {
            GuruClient olderAdmin = older.adminClient();
            RawAgent agent = enroll(older, "linux", "amd64");
            UUID id = olderAdmin.runCommand(agent.agentId, new CommandRequest("sh", "echo old", null, 30)).commandId();
            agent.send(hello(agent, 0, "linux", "amd64"));
            ServerMessage.Welcome welcome = (ServerMessage.Welcome) agent.next();
            assertThat(welcome.protocolVersion()).as("the lower of the two versions").isZero();
            assertThat(((ServerMessage.RunCommand) agent.next()).commandId()).isEqualTo(id);
            assertThat(olderAdmin.agent(agent.agentId).status()).isEqualTo("online");

            RawAgent current = enroll(older, "linux", "amd64");
            current.send(hello(current, Wire.PROTOCOL_VERSION, "linux", "amd64"));
            assertThat(((ServerMessage.Welcome) current.next()).protocolVersion()).isEqualTo(Wire.PROTOCOL_VERSION);
            agent.socket.abort();
            current.socket.abort();
        }
    }

    /**
     * End to end with a real agent: a server that requires a protocol newer than this build's
     * (standing in for the next protocol bump) offers the running agent its update, and the agent
     * downloads, verifies and switches to it although its socket is closed right after the offer.
     */
    @Test
    void aRealAgentTooOldForTheServerStillUpdatesItself() throws Exception {
        int required = Wire.PROTOCOL_VERSION + 1;
        try (TestServer newer = serverSpeaking(required + "," + required)) {
            GuruClient newerAdmin = newer.adminClient();
            String platform = Platform.currentOs() + "-" + Platform.currentArch();
            String file = "gururmm-agent-" + platform + "-1.1.0.jar";
            newerAdmin.publishRelease(file, Files.readAllBytes(ReleaseBuilds.withVersion("1.1.0", work.resolve("agent-b.jar"))), "stable");
            try (AgentProcess agent = AgentProcess.create(newer.url(), newer.enrollmentToken())
                    .env("GURURMM_RELEASE_PUBLIC_KEY", newerAdmin.releaseSigningKey().publicKey())
                    .env("GURURMM_UPDATE_DEADLINE_SECONDS", "30")
                    .startLauncher(ReleaseBuilds.withVersion("1.0.0", work.resolve("agent-a.jar")))) {
                Awaitility.await("agent enrolled (log: " + agent.log() + ")").atMost(Duration.ofSeconds(60))
                        .until(() -> Files.exists(agent.stateDir().resolve("credentials.json")));
                UUID agentId = agent.agentId();
                UUID queued = newerAdmin.runCommand(agentId, new CommandRequest("sh", "echo must-not-run", null, 30)).commandId();

                Awaitility.await("the too-old agent switched to 1.1.0").atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500))
                        .until(() -> agent.log().contains("launcher started agent 1.1.0"));
                assertThat(agent.log()).contains("the server does not speak this agent's protocol")
                        .contains("updating from 1.0.0 to 1.1.0").contains("restarting into 1.1.0");
                assertThat(newerAdmin.command(queued).status()).as("no command reached a too-old agent").isEqualTo("queued");
                assertThat(newerAdmin.agent(agentId).update().file()).isEqualTo(file);
            }
        }
    }
}
