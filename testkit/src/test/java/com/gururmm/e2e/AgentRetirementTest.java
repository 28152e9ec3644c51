package com.gururmm.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.gururmm.client.GuruClient;
import com.gururmm.protocol.api.Agents.AgentSummary;
import com.gururmm.protocol.api.Agents.EnrollRequest;
import com.gururmm.protocol.api.Agents.EnrollResponse;
import com.gururmm.protocol.api.Audit.AuditEntry;
import com.gururmm.testkit.TestDatabase;
import com.gururmm.testkit.TestServer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/** Issue 8, finding 7: retiring an agent revokes its credential at once; a second holder of a credential is audited. */
@ParameterizedClass
@EnumSource(TestDatabase.Kind.class)
class AgentRetirementTest {
    @Parameter
    TestDatabase.Kind kind;

    private TestServer server;
    private GuruClient admin;

    @BeforeEach
    void start() {
        server = TestServer.start(kind);
        admin = server.adminClient();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private int download(EnrollResponse agent) {
        return server.anonymousClient().raw("GET", "/downloads/gururmm-agent-linux-amd64-9.9.9.jar", null,
                Map.of("Authorization", "Bearer " + agent.agentToken(), "X-GuruRMM-Agent-Id", agent.agentId().toString())).status();
    }

    private List<AuditEntry> audit(String action) {
        return admin.audit().stream().filter(e -> e.action().equals(action)).toList();
    }

    @Test
    void retiringClosesTheLiveConnectionRevokesTheCredentialAndKeepsTheHistory() throws Exception {
        String machine = UUID.randomUUID().toString();
        EnrollResponse enrolled = RawAgent.enrollNew(server, machine);
        RawAgent agent = new RawAgent(server, enrolled, machine);
        agent.hello();
        assertThat(download(enrolled)).as("the control: a current credential reaches /downloads (no such build)").isEqualTo(404);
        var queued = admin.runCommand(enrolled.agentId(), new com.gururmm.protocol.api.Commands.CommandRequest("sh", "echo kept", null, 60));

        admin.retireAgent(enrolled.agentId());

        assertThat(agent.closed.get(10, TimeUnit.SECONDS)).as("the live connection is closed").isNotNull();
        assertThatThrownBy(() -> new RawAgent(server, enrolled, machine)).as("its credential cannot reconnect")
                .isInstanceOf(CompletionException.class);
        assertThat(download(enrolled)).isEqualTo(401);
        assertThat(admin.agents()).extracting(AgentSummary::id).doesNotContain(enrolled.agentId());
        assertThat(admin.agents(Map.of("include_retired", "true"))).filteredOn(a -> a.id().equals(enrolled.agentId()))
                .singleElement().satisfies(a -> assertThat(a.status()).isEqualTo("retired"));
        assertThat(admin.agent(enrolled.agentId()).status()).isEqualTo("retired");
        assertThat(admin.agentCommands(enrolled.agentId())).extracting(c -> c.id()).contains(queued.commandId());
        assertThat(admin.raw("POST", "/api/agents/" + enrolled.agentId() + "/command", "{\"command_type\":\"sh\",\"command\":\"id\"}",
                Map.of()).status()).as("no new command for a retired agent").isEqualTo(409);
        assertThat(audit("agent.retire")).singleElement().satisfies(e -> assertThat(e.target()).isEqualTo(enrolled.agentId().toString()));

        admin.retireAgent(enrolled.agentId());
        assertThat(audit("agent.retire")).as("retiring again changes nothing").hasSize(1);
        assertThat(admin.raw("DELETE", "/api/agents/" + UUID.randomUUID(), null, Map.of()).status()).isEqualTo(404);
    }

    @Test
    void theRetiredMachineMayEnrollAgainAndThatIsAudited() throws Exception {
        String machine = UUID.randomUUID().toString();
        EnrollResponse first = RawAgent.enrollNew(server, machine);
        admin.retireAgent(first.agentId());

        EnrollResponse again = server.anonymousClient().enroll(new EnrollRequest(server.enrollmentToken(), "dev-2-" + machine, machine,
                "raw-again", "linux", "amd64", "0.1.0", "stable"));

        assertThat(again.agentId()).as("the machine keeps its row and history").isEqualTo(first.agentId());
        RawAgent agent = new RawAgent(server, again, machine);
        agent.hello();
        assertThat(admin.agents()).extracting(AgentSummary::id).contains(again.agentId());
        assertThat(download(first)).as("the retired credential stays void").isEqualTo(401);
        assertThat(audit("agent.reenroll")).isNotEmpty();
    }

    @Test
    void aSecondConnectionWithTheSameCredentialIsAuditedWithBothAddresses() throws Exception {
        String machine = UUID.randomUUID().toString();
        EnrollResponse enrolled = RawAgent.enrollNew(server, machine);
        RawAgent first = new RawAgent(server, enrolled, machine);
        first.hello();
        assertThat(audit("agent.duplicate_connection")).isEmpty();

        RawAgent second = new RawAgent(server, enrolled, machine);
        second.hello();

        assertThat(first.closed.get(10, TimeUnit.SECONDS)).as("the older connection is replaced").isNotNull();
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(audit("agent.duplicate_connection")).singleElement()
                .satisfies(e -> {
                    assertThat(e.target()).isEqualTo(enrolled.agentId().toString());
                    assertThat(e.detail()).contains("from 127.0.0.1 replaced by a new one from 127.0.0.1");
                }));
    }
}
