package com.gururmm.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.gururmm.client.GuruApiException;
import com.gururmm.client.GuruClient;
import com.gururmm.protocol.api.Agents.AgentDetail;
import com.gururmm.protocol.api.Agents.EnrollRequest;
import com.gururmm.protocol.api.Agents.EnrollResponse;
import com.gururmm.protocol.api.Agents.HeldCommandsResult;
import com.gururmm.protocol.api.Commands.CommandRequest;
import com.gururmm.protocol.api.Commands.CommandView;
import com.gururmm.protocol.wire.AgentMessage;
import com.gururmm.protocol.wire.ServerMessage;
import com.gururmm.testkit.TestDatabase;
import com.gururmm.testkit.TestServer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Issue 8, finding 8: machine ids are not secret, so an impostor with any enrollment token can
 * enroll as an offline machine. It must get none of the commands queued for the machine's
 * previous identity: they are held, visibly, until an admin releases (delivered once) or
 * discards (cancelled, with the reason) them. Viewers do not see machine ids at all.
 */
@ParameterizedClass
@EnumSource(TestDatabase.Kind.class)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ReenrollmentHoldTest {
    private static final String SECRET = "s3cret-db-password-4711";

    @Parameter
    TestDatabase.Kind kind;

    /**
     * Raw agents send no heartbeats: a long heartbeat interval keeps the server from dropping them
     * as idle mid-test. {@code ttl}: the queue time-to-live in seconds.
     */
    private static TestServer start(TestDatabase.Kind kind, int ttl) {
        return TestServer.start(kind, Map.of("GURURMM_HEARTBEAT_SECONDS", "30", "GURURMM_COMMAND_QUEUE_TTL_SECONDS", Integer.toString(ttl)));
    }

    @Test
    void anImpostorGetsNoQueuedCommandUntilAnAdminReleasesItThenItIsDeliveredOnce() throws Exception {
        // A short queue TTL, so a sweep that would expire the held command happens within the test.
        try (TestServer server = start(kind, 8)) {
            GuruClient admin = server.adminClient();
            String machine = UUID.randomUUID().toString().replace("-", "");
            EnrollResponse real = RawAgent.enrollNew(server, machine);
            goOffline(admin, new RawAgent(server, real, machine));
            UUID secret = admin.runCommand(real.agentId(), new CommandRequest("sh", "echo " + SECRET, null, 30)).commandId();
            assertThat(admin.command(secret).status()).isEqualTo("queued");

            EnrollResponse forged = enrollImpostor(server, machine);
            assertThat(forged.agentId()).as("SPEC 5: the same machine keeps its row").isEqualTo(real.agentId());
            RawAgent impostor = new RawAgent(server, forged, machine);
            impostor.hello();
            List<ServerMessage> received = sync(impostor);
            assertThat(runCommands(received)).as("nothing queued for the previous identity reaches the new one").isEmpty();

            CommandView held = admin.command(secret);
            assertThat(held.status()).isEqualTo("held");
            assertThat(held.holdReason()).contains("enrolled again").contains("dev-" + machine);
            AgentDetail detail = admin.agent(real.agentId());
            assertThat(detail.heldCommands()).isEqualTo(1);
            assertThat(detail.holdReason()).isEqualTo(held.holdReason());
            assertThat(admin.agentCommands(real.agentId(), "held", null)).extracting(CommandView::id).containsExactly(secret);

            // A command queued after the re-enrolment is the new identity's: the channel works.
            UUID fresh = admin.runCommand(real.agentId(), new CommandRequest("sh", "echo fresh", null, 30)).commandId();
            assertThat(nextRunCommand(impostor).commandId()).isEqualTo(fresh);

            // The held command does not expire unseen: another agent's command queued after it
            // expires (a sweep ran past the held one's TTL) while the held one stays held.
            EnrollResponse other = RawAgent.enrollNew(server, UUID.randomUUID().toString());
            UUID expiring = admin.runCommand(other.agentId(), new CommandRequest("sh", "true", null, 30)).commandId();
            await("the sweeper expires the other agent's queued command").atMost(Duration.ofSeconds(30))
                    .until(() -> admin.command(expiring).status().equals("failed"));
            assertThat(admin.command(secret).status()).isEqualTo("held");
            // A reconnect is another chance for pending delivery: the fresh command (sent, never
            // reported started) is redelivered, the held one still is not.
            impostor.socket.abort();
            await("impostor offline").atMost(Duration.ofSeconds(10)).until(() -> admin.agent(real.agentId()).status().equals("offline"));
            impostor = new RawAgent(server, forged, machine);
            impostor.hello();
            assertThat(runCommands(sync(impostor))).extracting(ServerMessage.RunCommand::commandId).containsExactly(fresh);

            GuruClient technician = user(server, admin, "technician");
            assertThatThrownBy(() -> technician.decideHeldCommands(real.agentId(), null, true))
                    .isInstanceOfSatisfying(GuruApiException.class, e -> assertThat(e.status()).isEqualTo(403));

            HeldCommandsResult released = admin.decideHeldCommands(real.agentId(), null, true);
            assertThat(released.commandIds()).containsExactly(secret);
            ServerMessage.RunCommand delivered = nextRunCommand(impostor);
            assertThat(delivered.commandId()).isEqualTo(secret);
            assertThat(delivered.script()).contains(SECRET);
            assertThat(runCommands(sync(impostor))).as("delivered exactly once").isEmpty();
            assertThat(admin.command(secret).status()).isEqualTo("running");
            assertThat(admin.command(secret).holdReason()).isNull();
            assertThat(admin.agent(real.agentId()).heldCommands()).isZero();
            assertThat(admin.decideHeldCommands(real.agentId(), null, true).commandIds()).as("nothing left to release").isEmpty();

            assertThat(admin.audit()).anySatisfy(e -> {
                assertThat(e.action()).isEqualTo("agent.reenroll");
                assertThat(e.target()).isEqualTo(real.agentId().toString());
                assertThat(e.detail()).contains("dev-" + machine).contains("impostor-" + machine).contains("from 127.0.0.1")
                        .contains("held_commands=1");
            });
            assertThat(admin.audit()).anySatisfy(e -> {
                assertThat(e.action()).isEqualTo("command.release_held");
                assertThat(e.actor()).isEqualTo(TestServer.ADMIN_EMAIL);
                assertThat(e.detail()).contains(secret.toString());
            });
        }
    }

    @Test
    void discardedHeldCommandsEndCancelledWithTheReasonAndReachNoOne() throws Exception {
        try (TestServer server = start(kind, 3600)) {
            GuruClient admin = server.adminClient();
            String machine = UUID.randomUUID().toString().replace("-", "");
            EnrollResponse real = RawAgent.enrollNew(server, machine);
            RawAgent original = new RawAgent(server, real, machine);
            original.hello();
            // Sent to the real agent but never reported started (it went away first): redelivery
            // on reconnect would hand it to whoever holds the credential now.
            UUID unstarted = admin.runCommand(real.agentId(), new CommandRequest("sh", "echo " + SECRET, null, 30)).commandId();
            assertThat(nextRunCommand(original).commandId()).isEqualTo(unstarted);
            goOffline(admin, original);
            UUID queued = admin.runCommand(real.agentId(), new CommandRequest("sh", "echo second " + SECRET, null, 30)).commandId();

            RawAgent impostor = new RawAgent(server, enrollImpostor(server, machine), machine);
            impostor.hello();
            assertThat(runCommands(sync(impostor))).isEmpty();
            assertThat(admin.command(unstarted).status()).isEqualTo("held");
            assertThat(admin.command(queued).status()).isEqualTo("held");
            assertThat(admin.agent(real.agentId()).heldCommands()).isEqualTo(2);

            // One by id: the other stays held; an id that is not held changes nothing (409).
            assertThatThrownBy(() -> admin.decideHeldCommands(real.agentId(), List.of(queued, UUID.randomUUID()), false))
                    .isInstanceOfSatisfying(GuruApiException.class, e -> assertThat(e.status()).isEqualTo(409));
            assertThat(admin.command(queued).status()).isEqualTo("held");
            assertThat(admin.decideHeldCommands(real.agentId(), List.of(queued), false).commandIds()).containsExactly(queued);
            assertThat(admin.command(unstarted).status()).isEqualTo("held");
            assertThat(admin.decideHeldCommands(real.agentId(), null, false).commandIds()).containsExactly(unstarted);

            for (UUID id : List.of(unstarted, queued)) {
                CommandView view = admin.command(id);
                assertThat(view.status()).isEqualTo("cancelled");
                assertThat(view.error()).contains("discarded by " + TestServer.ADMIN_EMAIL).contains("enrolled again");
                assertThat(view.stdout()).isNull();
            }
            List<ServerMessage> after = sync(impostor);
            assertThat(runCommands(after)).isEmpty();
            assertThat(after).noneMatch(m -> m instanceof ServerMessage.CancelCommand);
            assertThat(admin.audit()).anySatisfy(e -> assertThat(e.action()).isEqualTo("command.discard_held"));
        }
    }

    @Test
    void machineUidIsShownToTechniciansAndAdminsButNotToViewers() {
        try (TestServer server = TestServer.start(kind)) {
            GuruClient admin = server.adminClient();
            String machine = UUID.randomUUID().toString().replace("-", "");
            UUID id = server.anonymousClient().enroll(new EnrollRequest(server.enrollmentToken(), UUID.randomUUID().toString(), machine,
                    "viewed-host", "linux", "amd64", "0.1.0", "stable")).agentId();
            GuruClient viewer = user(server, admin, "viewer");
            GuruClient technician = user(server, admin, "technician");

            assertThat(viewer.agents()).singleElement().satisfies(a -> assertThat(a.machineUid()).isNull());
            assertThat(viewer.agent(id).machineUid()).isNull();
            assertThat(viewer.raw("GET", "/api/agents/" + id, null, Map.of()).body()).doesNotContain(machine);
            assertThat(viewer.raw("GET", "/api/agents", null, Map.of()).body()).doesNotContain(machine);
            assertThat(technician.agents()).singleElement().satisfies(a -> assertThat(a.machineUid()).isEqualTo(machine));
            assertThat(technician.agent(id).machineUid()).isEqualTo(machine);
            assertThat(admin.agent(id).machineUid()).isEqualTo(machine);
        }
    }

    private static EnrollResponse enrollImpostor(TestServer server, String machine) {
        return server.anonymousClient().enroll(new EnrollRequest(server.enrollmentToken(), "impostor-" + machine, machine,
                "raw-" + machine.substring(0, 8), "linux", "amd64", "0.1.0", "stable"));
    }

    private static void goOffline(GuruClient admin, RawAgent agent) throws Exception {
        agent.socket.sendClose(1000, "going away").join();
        agent.closed.get(10, TimeUnit.SECONDS);
        await("agent offline").atMost(Duration.ofSeconds(10)).until(() -> admin.agent(agent.agentId).status().equals("offline"));
    }

    private static GuruClient user(TestServer server, GuruClient admin, String role) {
        String email = role + "-" + UUID.randomUUID() + "@example.test";
        // Every client: these tests are about roles, not scope (TenancyTest covers scope).
        admin.createUser(email, "a-long-password-for-" + role, role, new com.gururmm.protocol.api.Auth.ScopeView(admin.clients().stream().map(com.gururmm.protocol.api.Tenancy.ClientView::id).toList(), java.util.List.of()));
        GuruClient client = server.anonymousClient();
        client.login(email, "a-long-password-for-" + role);
        return client;
    }

    /**
     * Every frame the server sent up to the answer to a frame sent now. The server handles one
     * connection's frames in order, so once the answer arrives, everything it did for earlier
     * frames (the hello's delivery of pending commands among them) has been sent before it.
     */
    private static List<ServerMessage> sync(RawAgent agent) throws Exception {
        UUID probe = UUID.randomUUID();
        agent.send(new AgentMessage.CommandResult(probe, "completed", 0, "", "", false, false, null, Instant.now(), Instant.now()));
        List<ServerMessage> seen = new ArrayList<>();
        while (true) {
            ServerMessage message = agent.next();
            if (message instanceof ServerMessage.ResultAck ack && ack.commandId().equals(probe)) {
                return seen;
            }
            seen.add(message);
        }
    }

    private static List<ServerMessage.RunCommand> runCommands(List<ServerMessage> messages) {
        return messages.stream().filter(ServerMessage.RunCommand.class::isInstance).map(ServerMessage.RunCommand.class::cast).toList();
    }

    private static ServerMessage.RunCommand nextRunCommand(RawAgent agent) throws Exception {
        while (true) {
            if (agent.next() instanceof ServerMessage.RunCommand run) {
                return run;
            }
        }
    }
}
