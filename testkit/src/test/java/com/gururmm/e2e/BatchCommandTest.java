package com.gururmm.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.gururmm.client.GuruApiException;
import com.gururmm.client.GuruClient;
import com.gururmm.protocol.api.Agents.EnrollRequest;
import com.gururmm.protocol.api.Batches.AgentFilter;
import com.gururmm.protocol.api.Batches.BatchRequest;
import com.gururmm.protocol.api.Batches.BatchResult;
import com.gururmm.protocol.api.Batches.BatchView;
import com.gururmm.protocol.api.Commands.CommandView;
import com.gururmm.testkit.Fleet;
import com.gururmm.testkit.TestDatabase;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Bulk commands ({@code POST /api/commands}, {@code GET /api/batches/{id}}) on two real agent
 * processes plus one enrolled machine that never connects, against H2 and PostgreSQL.
 */
@ParameterizedClass
@EnumSource(TestDatabase.Kind.class)
class BatchCommandTest {
    private static final Map<TestDatabase.Kind, Fleet> FLEETS = new java.util.EnumMap<>(TestDatabase.Kind.class);

    @Parameter
    TestDatabase.Kind kind;

    private Fleet fleet;
    private UUID first;
    private UUID second;
    private UUID offline;

    @AfterAll
    static void stopFleets() {
        FLEETS.values().forEach(Fleet::close);
        FLEETS.clear();
    }

    private GuruClient admin() {
        fleet = FLEETS.computeIfAbsent(kind, k -> {
            Fleet f = Fleet.start(k);
            f.addAgent();
            f.addAgent();
            return f;
        });
        var agents = fleet.admin().agents();
        var processes = agents.stream().filter(a -> !a.hostname().equals("never-connects")).toList();
        first = processes.get(0).id();
        second = processes.get(1).id();
        offline = agents.stream().filter(a -> a.hostname().equals("never-connects")).map(a -> a.id()).findFirst().orElseGet(() ->
                fleet.admin().enroll(new EnrollRequest(fleet.server().enrollmentToken(), "dev-offline", "machine-offline-" + kind,
                        "never-connects", "linux", "amd64", "1.0.0", "stable")).agentId());
        return fleet.admin();
    }

    private static BatchRequest byIds(List<UUID> ids, String script) {
        return new BatchRequest(ids, null, "sh", script, null, 30);
    }

    @Test
    void runsOnEveryListedAgentAndReportsEachResult() {
        GuruClient client = admin();
        var submitted = client.runBatch(byIds(List.of(first, second, first), "echo batch-$((40+2)); exit 3"));
        assertThat(submitted.agentCount()).as("duplicates count once").isEqualTo(2);

        BatchView view = client.awaitBatch(submitted.batchId(), Duration.ofSeconds(60));
        assertThat(view.done()).isTrue();
        assertThat(view.counts()).isEqualTo(Map.of("completed", 2));
        assertThat(view.target()).isEqualTo("agent_ids (2)");
        assertThat(view.createdBy()).isEqualTo("admin@example.test");
        assertThat(view.results()).extracting(BatchResult::agentId).containsExactlyInAnyOrder(first, second);
        for (BatchResult r : view.results()) {
            assertThat(r.status()).isEqualTo("completed");
            assertThat(r.exitCode()).isEqualTo(3);
            assertThat(r.stdout()).isEqualTo("batch-42\n");
            CommandView single = client.command(r.commandId());
            assertThat(single.agentId()).isEqualTo(r.agentId());
            assertThat(single.stdout()).isEqualTo("batch-42\n");
        }
        assertThat(client.audit()).anySatisfy(e -> {
            assertThat(e.action()).isEqualTo("batch.create");
            assertThat(e.target()).isEqualTo(submitted.batchId().toString());
        });
    }

    @Test
    void filterSelectsAgentsAndOfflineOnesStayQueued() {
        GuruClient client = admin();
        var submitted = client.runBatch(new BatchRequest(null, new AgentFilter(null, "linux", null, null), "bash", "echo hi", null, 30));
        assertThat(submitted.agentCount()).isEqualTo(3);
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(60))
                .until(() -> client.batch(submitted.batchId(), false).counts().getOrDefault("completed", 0) == 2);
        BatchView view = client.batch(submitted.batchId());
        assertThat(view.done()).as("the offline agent's command is still queued").isFalse();
        assertThat(view.counts()).isEqualTo(Map.of("completed", 2, "queued", 1));
        assertThat(view.results()).filteredOn(r -> r.agentId().equals(offline))
                .singleElement().satisfies(r -> assertThat(r.status()).isEqualTo("queued"));
        assertThat(client.batch(submitted.batchId(), false).results()).isNull();

        var online = client.runBatch(new BatchRequest(null, new AgentFilter("online", null, null, null), "sh", "echo up", null, 30));
        assertThat(online.agentCount()).isEqualTo(2);
        assertThat(client.awaitBatch(online.batchId(), Duration.ofSeconds(60)).counts()).isEqualTo(Map.of("completed", 2));
    }

    @Test
    void badInputIsRefusedAndCreatesNothing() {
        GuruClient client = admin();
        int batchesBefore = (int) client.audit().stream().filter(e -> e.action().equals("batch.create")).count();
        expect(400, "exactly one of", () -> client.runBatch(new BatchRequest(null, null, "sh", "echo", null, 30)));
        expect(400, "exactly one of", () -> client.runBatch(new BatchRequest(List.of(first), new AgentFilter(null, null, null, null), "sh", "echo", null, 30)));
        expect(400, "'agent_ids' is empty", () -> client.runBatch(byIds(List.of(), "echo")));
        expect(400, "Unknown command_type 'zsh'", () -> client.runBatch(new BatchRequest(List.of(first), null, "zsh", "echo", null, 30)));
        expect(400, "matches no agent", () -> client.runBatch(new BatchRequest(null, new AgentFilter(null, "windows", null, null), "sh", "echo", null, 30)));
        expect(400, "'status' must be online, offline or retired", () -> client.runBatch(new BatchRequest(null, new AgentFilter("gone", null, null, null), "sh", "echo", null, 30)));
        UUID ghost = UUID.randomUUID();
        expect(404, ghost.toString(), () -> client.runBatch(byIds(List.of(first, ghost), "echo")));
        expect(413, "limit is 1048576", () -> client.runBatch(byIds(List.of(first), "x".repeat(1024 * 1024 + 1))));
        List<UUID> tooMany = java.util.stream.Stream.generate(UUID::randomUUID).limit(50_001).toList();
        expect(413, "limit is 50000", () -> client.runBatch(byIds(tooMany, "echo")));
        expect(404, "No batch", () -> client.batch(UUID.randomUUID()));
        assertThat(client.raw("GET", "/api/batches/nope", null, Map.of()).body()).contains("'nope' is not a valid id");
        assertThat(client.raw("POST", "/api/commands", "{\"agent_ids\": \"all\"}", Map.of()).status()).isEqualTo(400);
        assertThat(client.raw("POST", "/api/commands", "{not json", Map.of()).status()).isEqualTo(400);
        assertThat(client.raw("GET", "/api/batches/" + UUID.randomUUID() + "?results=maybe", null, Map.of()).status()).isEqualTo(400);
        assertThat(client.audit().stream().filter(e -> e.action().equals("batch.create")).count()).isEqualTo(batchesBefore);
        assertThat(client.agentCommands(offline)).allSatisfy(c -> assertThat(c.commandText()).isNotEqualTo("echo"));
    }

    @Test
    void anonymousCallersCanNeitherSubmitNorRead() {
        GuruClient client = admin();
        var submitted = client.runBatch(byIds(List.of(first), "echo x"));
        GuruClient anonymous = fleet.server().anonymousClient();
        expect(401, "", () -> anonymous.runBatch(byIds(List.of(first), "echo")));
        expect(401, "", () -> anonymous.batch(submitted.batchId()));
        assertThat(client.awaitBatch(submitted.batchId(), Duration.ofSeconds(60)).done()).isTrue();
    }

    private static void expect(int status, String messagePart, org.assertj.core.api.ThrowableAssert.ThrowingCallable call) {
        assertThatThrownBy(call).isInstanceOf(GuruApiException.class).satisfies(e -> {
            GuruApiException api = (GuruApiException) e;
            assertThat(api.status()).as(api.getMessage()).isEqualTo(status);
            assertThat(api.getMessage()).contains(messagePart);
        });
    }
}
