package com.gururmm.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.gururmm.client.GuruApiException;
import com.gururmm.client.GuruClient;
import com.gururmm.protocol.api.Agents.AgentSummary;
import com.gururmm.protocol.api.Audit.AuditEntry;
import com.gururmm.protocol.api.Auth.ScopeView;
import com.gururmm.protocol.api.Auth.UserView;
import com.gururmm.protocol.api.Batches.AgentFilter;
import com.gururmm.protocol.api.Batches.BatchRequest;
import com.gururmm.protocol.api.Batches.BatchView;
import com.gururmm.protocol.api.Commands.CommandRequest;
import com.gururmm.protocol.api.Commands.CommandView;
import com.gururmm.protocol.api.EnrollmentTokens.CreateRequest;
import com.gururmm.protocol.api.Tenancy.ClientView;
import com.gururmm.protocol.api.Tenancy.SiteView;
import com.gururmm.testkit.AgentProcess;
import com.gururmm.testkit.Fleet;
import com.gururmm.testkit.TestDatabase;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Issue 10, clients/sites and scoped roles, end to end: a real server (H2 and PostgreSQL), two
 * clients with a site each, and real agents enrolled with site-bound tokens. A technician of
 * site A lists and runs on A's agents only; B's agent, commands and batches answer 404 exactly
 * like unknown ids; a bulk selection never reaches B, even by a filter or ids naming it; a
 * viewer cannot run; moving an agent, a scope change and disabling a user apply on the very next
 * request; bad input changes nothing.
 */
@ParameterizedClass
@EnumSource(TestDatabase.Kind.class)
class TenancyTest {
    private static final String PASSWORD = "a long enough password";
    private static final Map<TestDatabase.Kind, World> WORLDS = new EnumMap<>(TestDatabase.Kind.class);

    @Parameter
    TestDatabase.Kind kind;

    /** One server per database, two clients with one site each, a real agent in each site. */
    private record World(Fleet fleet, GuruClient admin, UUID clientA, UUID siteA, UUID clientB, UUID siteB, UUID agentA, UUID agentB) {
    }

    @AfterAll
    static void stop() {
        WORLDS.values().forEach(w -> w.fleet().close());
        WORLDS.clear();
    }

    private World world() {
        return WORLDS.computeIfAbsent(kind, k -> {
            Fleet fleet = Fleet.start(k);
            GuruClient admin = fleet.admin();
            UUID clientA = admin.createClient("Acme").id();
            UUID siteA = admin.createSite(clientA, "HQ").id();
            UUID clientB = admin.createClient("Globex").id();
            UUID siteB = admin.createSite(clientB, "Main").id();
            UUID agentA = enroll(fleet, siteA);
            UUID agentB = enroll(fleet, siteB);
            return new World(fleet, admin, clientA, siteA, clientB, siteB, agentA, agentB);
        });
    }

    private static UUID enroll(Fleet fleet, UUID site) {
        String token = fleet.admin().createEnrollmentToken(new CreateRequest(null, 1, null, site)).token();
        AgentProcess agent = fleet.track(AgentProcess.create(fleet.server().url(), token));
        return agent.start().awaitOnline(fleet.admin());
    }

    private GuruClient user(String role, ScopeView scope) {
        String email = role + "-" + UUID.randomUUID() + "@example.test";
        world().admin().createUser(email, PASSWORD, role, scope);
        GuruClient client = world().fleet().server().anonymousClient();
        client.login(email, PASSWORD);
        return client;
    }

    private GuruClient technicianOfA() {
        return user("technician", new ScopeView(List.of(), List.of(world().siteA())));
    }

    private static void assertStatus(int status, ThrowingCallable call) {
        assertThatThrownBy(call).isInstanceOfSatisfying(GuruApiException.class, e -> assertThat(e.status()).as(e.getMessage()).isEqualTo(status));
    }

    private static CommandRequest echo(String text) {
        return new CommandRequest("sh", "echo " + text, null, 60);
    }

    @Test
    void agentsLandInTheSiteOfTheirToken() {
        World w = world();
        var a = w.admin().agent(w.agentA());
        assertThat(a.siteId()).isEqualTo(w.siteA());
        assertThat(a.site()).isEqualTo("HQ");
        assertThat(a.clientId()).isEqualTo(w.clientA());
        assertThat(a.clientName()).isEqualTo("Acme");
        var b = w.admin().agents(Map.of("site_id", w.siteB().toString()));
        assertThat(b).extracting(AgentSummary::id).containsExactly(w.agentB());
        assertThat(b.getFirst().clientName()).isEqualTo("Globex");
        assertThat(w.admin().agents(Map.of("client_id", w.clientA().toString()))).extracting(AgentSummary::id).containsExactly(w.agentA());
        assertThat(w.admin().enrollmentTokens()).anySatisfy(t -> {
            assertThat(t.siteId()).isEqualTo(w.siteB());
            assertThat(t.clientName()).isEqualTo("Globex");
        });
    }

    @Test
    void aTechnicianSeesAndRunsOnlyWithinTheirSites() {
        World w = world();
        GuruClient tech = technicianOfA();
        assertThat(tech.agents()).extracting(AgentSummary::id).containsExactly(w.agentA());
        assertThat(tech.agents(Map.of("site_id", w.siteB().toString()))).isEmpty();
        assertThat(tech.clients()).extracting(ClientView::id).containsExactly(w.clientA());
        assertThat(tech.sites(null)).extracting(SiteView::id).containsExactly(w.siteA());

        CommandView done = tech.awaitCommand(tech.runCommand(w.agentA(), echo("in-scope")).commandId(), Duration.ofSeconds(60));
        assertThat(done.stdout()).isEqualTo("in-scope\n");

        // B's agent, its commands and a batch that touched it: 404, with the words an unknown id gets.
        UUID commandOfB = w.admin().runCommand(w.agentB(), echo("b")).commandId();
        UUID batchOfBoth = w.admin().runBatch(new BatchRequest(List.of(w.agentA(), w.agentB()), null, "sh", "echo both", null, 60)).batchId();
        assertNotFoundLikeUnknown(tech, "GET", "/api/agents/" + w.agentB(), "/api/agents/" + UUID.randomUUID(), null);
        assertNotFoundLikeUnknown(tech, "POST", "/api/agents/" + w.agentB() + "/command", "/api/agents/" + UUID.randomUUID() + "/command",
                "{\"command_type\":\"sh\",\"command\":\"echo no\"}");
        assertNotFoundLikeUnknown(tech, "GET", "/api/agents/" + w.agentB() + "/commands", "/api/agents/" + UUID.randomUUID() + "/commands", null);
        assertNotFoundLikeUnknown(tech, "GET", "/api/commands/" + commandOfB, "/api/commands/" + UUID.randomUUID(), null);
        assertNotFoundLikeUnknown(tech, "POST", "/api/commands/" + commandOfB + "/cancel", "/api/commands/" + UUID.randomUUID() + "/cancel", null);
        assertNotFoundLikeUnknown(tech, "GET", "/api/batches/" + batchOfBoth, "/api/batches/" + UUID.randomUUID(), null);
        assertNotFoundLikeUnknown(tech, "GET", "/api/clients/" + w.clientB() + "/sites", "/api/clients/" + UUID.randomUUID() + "/sites", null);
        assertNotFoundLikeUnknown(tech, "GET", "/api/sites/" + w.siteB(), "/api/sites/" + UUID.randomUUID(), null);

        // Bulk: a filter naming B selects nothing; ids naming B are unknown ids; {} is A alone.
        assertStatus(400, () -> tech.runBatch(new BatchRequest(null, new AgentFilter(null, null, null, null, null, w.siteB()), "sh", "echo x", null, 30)));
        assertStatus(400, () -> tech.runBatch(new BatchRequest(null, new AgentFilter(null, null, "Main", null), "sh", "echo x", null, 30)));
        assertStatus(404, () -> tech.runBatch(new BatchRequest(List.of(w.agentA(), w.agentB()), null, "sh", "echo x", null, 30)));
        var mine = tech.runBatch(new BatchRequest(null, new AgentFilter(null, null, null, null), "sh", "echo mine", null, 30));
        assertThat(mine.agentCount()).isEqualTo(1);
        BatchView view = tech.awaitBatch(mine.batchId(), Duration.ofSeconds(60));
        assertThat(view.results()).extracting(r -> r.agentId()).containsExactly(w.agentA());
        // Nothing ever ran on B for the technician.
        assertThat(w.admin().agentCommands(w.agentB())).extracting(CommandView::commandText).doesNotContain("echo x", "echo mine", "echo no");
    }

    /** Out of scope, an id gets the very answer an unknown one does (status, code, message shape). */
    private static void assertNotFoundLikeUnknown(GuruClient client, String method, String path, String unknownPath, String body) {
        GuruClient.RawResponse hidden = client.raw(method, path, body, Map.of());
        GuruClient.RawResponse unknown = client.raw(method, unknownPath, body, Map.of());
        assertThat(hidden.status()).as(path + ": " + hidden.body()).isEqualTo(404);
        assertThat(unknown.status()).as(unknownPath + ": " + unknown.body()).isEqualTo(404);
        String hiddenId = path.replaceAll(".*/([0-9a-f-]{36}).*", "$1");
        String unknownId = unknownPath.replaceAll(".*/([0-9a-f-]{36}).*", "$1");
        assertThat(hidden.body().replace(hiddenId, "ID")).isEqualTo(unknown.body().replace(unknownId, "ID"));
    }

    @Test
    void theEventStreamShowsATechnicianOnlyTheirSitesEvents() throws Exception {
        World w = world();
        GuruClient tech = technicianOfA();
        try (com.gururmm.client.EventStream events = tech.events("command.status", null, null)) {
            UUID onB = w.admin().runCommand(w.agentB(), echo("event-b")).commandId();
            w.admin().awaitCommand(onB, Duration.ofSeconds(60));
            UUID onA = w.admin().runCommand(w.agentA(), echo("event-a")).commandId();
            w.admin().awaitCommand(onA, Duration.ofSeconds(60));
            java.util.Set<String> seen = new java.util.HashSet<>();
            com.gururmm.client.EventStream.Event event;
            while (!seen.contains(onA + " completed") && (event = events.next(Duration.ofSeconds(10))) != null) {
                assertThat(event.data().toString()).doesNotContain(onB.toString()).doesNotContain(w.agentB().toString());
                seen.add(event.data().get("command_id").asText() + " " + event.data().get("status").asText());
            }
            assertThat(seen).contains(onA + " completed");
        }
    }

    @Test
    void aViewerReadsWithinScopeButCannotRun() {
        World w = world();
        GuruClient viewer = user("viewer", new ScopeView(List.of(w.clientA()), List.of()));
        assertThat(viewer.agents()).extracting(AgentSummary::id).containsExactly(w.agentA());
        assertThat(viewer.agent(w.agentA()).site()).isEqualTo("HQ");
        assertStatus(403, () -> viewer.runCommand(w.agentA(), echo("no")));
        assertStatus(403, () -> viewer.runBatch(new BatchRequest(null, new AgentFilter(null, null, null, null), "sh", "echo x", null, 30)));
        assertStatus(404, () -> viewer.agent(w.agentB()));
        // A whole client in scope includes a site created later, on the next request.
        UUID later = w.admin().createSite(w.clientA(), "Branch " + UUID.randomUUID().toString().substring(0, 8)).id();
        assertThat(viewer.sites(w.clientA())).extracting(SiteView::id).contains(w.siteA(), later);
        w.admin().deleteSite(later);
    }

    @Test
    void aTechnicianOrViewerWithAnEmptyScopeSeesNothing() {
        GuruClient tech = user("technician", null);
        assertThat(tech.agents()).isEmpty();
        assertThat(tech.clients()).isEmpty();
        assertThat(tech.sites(null)).isEmpty();
        assertStatus(400, () -> tech.runBatch(new BatchRequest(null, new AgentFilter(null, null, null, null), "sh", "echo x", null, 30)));
        assertStatus(404, () -> tech.runCommand(world().agentA(), echo("no")));
    }

    @Test
    void movingAnAgentIsAuditedAndChangesWhatATechnicianSeesAtOnce() {
        World w = world();
        GuruClient tech = technicianOfA();
        assertThat(tech.agent(w.agentA()).id()).isEqualTo(w.agentA());
        try {
            var moved = w.admin().moveAgent(w.agentA(), w.siteB());
            assertThat(moved.siteId()).isEqualTo(w.siteB());
            assertThat(moved.site()).isEqualTo("Main");
            assertThat(moved.clientName()).isEqualTo("Globex");
            assertThat(tech.agents()).isEmpty();
            assertStatus(404, () -> tech.agent(w.agentA()));
            assertStatus(404, () -> tech.runCommand(w.agentA(), echo("gone")));
            AuditEntry entry = w.admin().audit().stream().filter(e -> e.action().equals("agent.move")
                    && e.target().equals(w.agentA().toString())).findFirst().orElseThrow();
            assertThat(entry.detail()).contains("Acme/HQ (" + w.siteA() + ") -> Globex/Main (" + w.siteB() + ")");
            assertThat(entry.actor()).isEqualTo("admin@example.test");
        } finally {
            w.admin().moveAgent(w.agentA(), w.siteA());
        }
        assertThat(tech.agents()).extracting(AgentSummary::id).containsExactly(w.agentA());
        // An unknown site: 400 naming the field, the agent stays.
        assertStatus(400, () -> w.admin().moveAgent(w.agentA(), UUID.randomUUID()));
        assertThat(w.admin().agent(w.agentA()).siteId()).isEqualTo(w.siteA());
        // Only admins move agents, even within their scope.
        assertStatus(403, () -> tech.moveAgent(w.agentA(), w.siteA()));
    }

    @Test
    void aScopeChangeOrDisablingAppliesOnTheNextRequestWithTheSameToken() {
        World w = world();
        String email = "scoped-" + UUID.randomUUID() + "@example.test";
        UserView created = w.admin().createUser(email, PASSWORD, "technician", new ScopeView(List.of(), List.of(w.siteA())));
        GuruClient tech = w.fleet().server().anonymousClient();
        tech.login(email, PASSWORD);
        assertThat(tech.agents()).extracting(AgentSummary::id).containsExactly(w.agentA());

        var updated = w.admin().updateUser(created.id(), null, null, new ScopeView(List.of(w.clientB()), List.of()));
        assertThat(updated.scope().clientIds()).containsExactly(w.clientB());
        assertThat(updated.scope().siteIds()).isEmpty();
        assertThat(tech.agents()).extracting(AgentSummary::id).containsExactly(w.agentB());
        assertStatus(404, () -> tech.agent(w.agentA()));
        assertThat(w.admin().audit()).anySatisfy(e -> {
            assertThat(e.action()).isEqualTo("user.update");
            assertThat(e.target()).isEqualTo(email);
            assertThat(e.detail()).contains("scope clients=[] sites=[" + w.siteA() + "] -> clients=[" + w.clientB() + "] sites=[]");
        });

        w.admin().updateUser(created.id(), true, null, null);
        assertStatus(401, tech::agents);
        w.admin().updateUser(created.id(), false, null, null);
        assertStatus(401, tech::agents); // disabling ended the session for good
    }

    @Test
    void resettingAPasswordEndsTheUsersSessions() {
        World w = world();
        String email = "reset-" + UUID.randomUUID() + "@example.test";
        UserView created = w.admin().createUser(email, PASSWORD, "viewer", new ScopeView(List.of(), List.of(w.siteA())));
        GuruClient session = w.fleet().server().anonymousClient();
        session.login(email, PASSWORD);
        var generated = w.admin().resetPassword(created.id(), null);
        assertThat(generated.password()).hasSizeGreaterThanOrEqualTo(20);
        assertThat(generated.sessionsEnded()).isEqualTo(1);
        assertStatus(401, session::agents);
        assertStatus(401, () -> w.fleet().server().anonymousClient().login(email, PASSWORD));
        GuruClient again = w.fleet().server().anonymousClient();
        again.login(email, generated.password());
        assertThat(again.agents()).extracting(AgentSummary::id).containsExactly(w.agentA());
        var set = w.admin().resetPassword(created.id(), "another long password");
        assertThat(set.password()).isNull();
        assertStatus(401, again::agents);
        assertStatus(400, () -> w.admin().resetPassword(created.id(), "short"));
        assertThat(w.admin().audit()).filteredOn(e -> e.action().equals("user.password_reset") && e.target().equals(email)).hasSize(2);
    }

    @Test
    void badInputIsRefusedWithAClearMessageAndChangesNothing() {
        World w = world();
        GuruClient admin = w.admin();
        List<ClientView> clientsBefore = admin.clients();
        List<SiteView> sitesBefore = admin.sites(null);
        int auditBefore = admin.audit().size();

        assertError(409, "already exists", () -> admin.createClient("acme"));
        assertError(409, "already exists", () -> admin.createClient("  ACME "));
        assertError(409, "already has a site named 'hq'", () -> admin.createSite(w.clientA(), "hq"));
        assertError(409, "already exists", () -> admin.renameClient(w.clientB(), "Acme"));
        assertError(400, "'name' is required", () -> admin.createClient("   "));
        assertError(400, "NUL", () -> admin.createClient("bad\u0000name"));
        assertError(400, "control", () -> admin.createClient("bad\u001b[31mname"));
        assertError(400, "limit is 200", () -> admin.createClient("x".repeat(201)));
        assertError(404, "No client", () -> admin.createSite(UUID.randomUUID(), "Nowhere"));
        assertError(400, "site_id", () -> admin.createEnrollmentToken(new CreateRequest(null, 1, null, UUID.randomUUID())));
        assertError(400, "scope.site_ids", () -> admin.createUser("nobody-" + UUID.randomUUID() + "@example.test", PASSWORD, "technician",
                new ScopeView(List.of(), List.of(UUID.randomUUID()))));
        assertError(400, "Admins see every client", () -> admin.createUser("nobody-" + UUID.randomUUID() + "@example.test", PASSWORD, "admin",
                new ScopeView(List.of(w.clientA()), List.of())));
        GuruClient.RawResponse badUuid = admin.raw("GET", "/api/agents?site_id=not-a-uuid", null, Map.of());
        assertThat(badUuid.status()).isEqualTo(400);
        assertThat(badUuid.body()).contains("site_id");
        GuruClient.RawResponse badScope = admin.raw("POST", "/api/users", "{\"email\":\"x@example.test\",\"password\":\"" + PASSWORD
                + "\",\"role\":\"viewer\",\"scope\":{\"site_ids\":[\"nope\"]}}", Map.of());
        assertThat(badScope.status()).as(badScope.body()).isEqualTo(400);

        assertThat(admin.clients()).isEqualTo(clientsBefore);
        assertThat(admin.sites(null)).isEqualTo(sitesBefore);
        assertThat(admin.audit()).hasSize(auditBefore);
    }

    private static void assertError(int status, String messagePart, ThrowingCallable call) {
        assertThatThrownBy(call).isInstanceOfSatisfying(GuruApiException.class, e -> {
            assertThat(e.status()).as(e.getMessage()).isEqualTo(status);
            assertThat(e.getMessage()).contains(messagePart);
        });
    }

    @Test
    void clientsAndSitesHoldingAgentsAreNotDeletedAndRenamesShowEverywhere() {
        World w = world();
        GuruClient admin = w.admin();
        assertError(409, "move them to another site first", () -> admin.deleteSite(w.siteA()));
        assertError(409, "move them to another site first", () -> admin.deleteClient(w.clientA()));
        assertError(409, "cannot be deleted", () -> admin.deleteSite(UUID.fromString("00000000-0000-0000-0000-00000000a001")));
        assertThat(admin.agent(w.agentA()).siteId()).isEqualTo(w.siteA());

        admin.renameSite(w.siteA(), "Headquarters");
        try {
            assertThat(admin.agent(w.agentA()).site()).isEqualTo("Headquarters");
            assertThat(admin.agents(Map.of("site", "headquarters"))).extracting(AgentSummary::id).containsExactly(w.agentA());
        } finally {
            admin.renameSite(w.siteA(), "HQ");
        }

        // An empty client and site go, with their tokens; audited.
        UUID client = admin.createClient("Temp " + UUID.randomUUID()).id();
        UUID site = admin.createSite(client, "Only").id();
        UUID token = admin.createEnrollmentToken(new CreateRequest(null, 1, null, site)).id();
        admin.deleteClient(client);
        assertThat(admin.clients()).extracting(ClientView::id).doesNotContain(client);
        assertThat(admin.enrollmentTokens()).extracting(t -> t.id()).doesNotContain(token);
        assertThat(admin.audit()).anySatisfy(e -> {
            assertThat(e.action()).isEqualTo("client.delete");
            assertThat(e.target()).isEqualTo(client.toString());
        });
    }
}
