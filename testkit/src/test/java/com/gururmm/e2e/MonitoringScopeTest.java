package com.gururmm.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.gururmm.client.EventStream;
import com.gururmm.client.GuruApiException;
import com.gururmm.client.GuruClient;
import com.gururmm.protocol.Json;
import com.gururmm.protocol.api.Alerts.AlertCounts;
import com.gururmm.protocol.api.Alerts.AlertView;
import com.gururmm.protocol.api.Alerts.MaintenanceWindowRequest;
import com.gururmm.protocol.api.Alerts.MaintenanceWindowView;
import com.gururmm.protocol.api.Auth.ScopeView;
import com.gururmm.protocol.api.Checks.CheckRequest;
import com.gururmm.protocol.api.Checks.CheckView;
import com.gururmm.protocol.api.EnrollmentTokens.CreateRequest;
import com.gururmm.protocol.api.Inventories.SearchHit;
import com.gururmm.protocol.metrics.MetricName;
import com.gururmm.protocol.wire.SystemInventory;
import com.gururmm.server.events.MetricsReceived;
import com.gururmm.server.inventory.InventoryStore;
import com.gururmm.testkit.AgentProcess;
import com.gururmm.testkit.Fleet;
import com.gururmm.testkit.TestDatabase;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.awaitility.Awaitility;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Monitoring under scoped roles, end to end on H2 and PostgreSQL: client Acme (site HQ, agent A)
 * and client Globex (site Main, agent B), each agent with its own check, open alert, agent and
 * site maintenance window and inventory. A technician of Main sees none of A's alerts (listing,
 * nav counts, by id), checks, windows or inventory hits; acknowledging A's alert or changing A's
 * check answers 404 like an unknown id; creating a check or window for agent A or site HQ is
 * refused as for something that does not exist. A technician of HQ can do all of it for A. Both
 * clients also have a site named "Branch": a site-level check or window for that name reaches
 * both, so a technician holding only one of them may not create it. The event stream does not
 * deliver {@code alert.changed} of agents outside the caller's scope.
 */
@ParameterizedClass
@EnumSource(TestDatabase.Kind.class)
class MonitoringScopeTest {
    private static final String PASSWORD = "a long enough password";
    private static final Map<TestDatabase.Kind, World> WORLDS = new EnumMap<>(TestDatabase.Kind.class);

    @Parameter
    TestDatabase.Kind kind;

    private record World(Fleet fleet, GuruClient admin, UUID siteA, UUID siteB, UUID branchA, UUID agentA, UUID agentB,
                         CheckView checkA, CheckView checkB, CheckView siteCheckA, CheckView siteCheckB, AlertView alertA, AlertView alertB,
                         MaintenanceWindowView windowA, MaintenanceWindowView windowB, MaintenanceWindowView siteWindowA,
                         MaintenanceWindowView siteWindowB) {
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
            UUID branchA = admin.createSite(clientA, "Branch").id();
            UUID clientB = admin.createClient("Globex").id();
            UUID siteB = admin.createSite(clientB, "Main").id();
            admin.createSite(clientB, "Branch");
            UUID agentA = enroll(fleet, siteA);
            UUID agentB = enroll(fleet, siteB);
            CheckView checkA = admin.createCheck(cpuCheck("scope-cpu", agentA));
            CheckView checkB = admin.createCheck(cpuCheck("scope-cpu", agentB));
            CheckView siteCheckA = admin.createCheck(siteCheck("scope-proc", "HQ"));
            CheckView siteCheckB = admin.createCheck(siteCheck("scope-proc", "Main"));
            AlertView alertA = raiseAlert(fleet, agentA, "scope-cpu");
            AlertView alertB = raiseAlert(fleet, agentB, "scope-cpu");
            Instant ends = Instant.now().plus(Duration.ofDays(1));
            MaintenanceWindowView windowA = admin.createMaintenanceWindow(new MaintenanceWindowRequest(agentA, null, null, ends, "a"));
            MaintenanceWindowView windowB = admin.createMaintenanceWindow(new MaintenanceWindowRequest(agentB, null, null, ends, "b"));
            MaintenanceWindowView siteWindowA = admin.createMaintenanceWindow(new MaintenanceWindowRequest(null, "HQ", null, ends, "hq"));
            MaintenanceWindowView siteWindowB = admin.createMaintenanceWindow(new MaintenanceWindowRequest(null, "Main", null, ends, "main"));
            // Inventory straight into the store: a real collection costs seconds of CPU (InventoryTest covers it).
            InventoryStore inventory = new InventoryStore(Jdbi.create(fleet.server().database().jdbcUrl()));
            for (UUID agent : List.of(agentA, agentB)) {
                inventory.replace(agent, new SystemInventory(1, Instant.now(), null, List.of(), List.of(),
                        List.of(new SystemInventory.Filesystem("/", "ext4", "/dev/sda1", 1000, 50)),
                        List.of(new SystemInventory.Software("scope-tool", "1.0", "amd64", "dpkg")), List.of(),
                        new SystemInventory.Updates("apt", 1, 0, List.of("scope-tool"), true, "/var/run/reboot-required"), List.of()),
                        Instant.now());
            }
            return new World(fleet, admin, siteA, siteB, branchA, agentA, agentB, checkA, checkB, siteCheckA, siteCheckB, alertA, alertB,
                    windowA, windowB, siteWindowA, siteWindowB);
        });
    }

    private static UUID enroll(Fleet fleet, UUID site) {
        String token = fleet.admin().createEnrollmentToken(new CreateRequest(null, 1, null, site)).token();
        AgentProcess agent = fleet.track(AgentProcess.create(fleet.server().url(), token));
        return agent.start().awaitOnline(fleet.admin());
    }

    private static CheckRequest cpuCheck(String key, UUID agent) {
        return request(Map.of("key", key, "kind", "metric_threshold", "agent_id", agent.toString(), "metric", MetricName.CPU_PERCENT,
                "operator", ">", "threshold", 0.0, "duration", "0s"));
    }

    private static CheckRequest siteCheck(String key, String site) {
        return request(Map.of("key", key, "kind", "process", "site", site, "process", "scope-test-process"));
    }

    private static CheckRequest request(Map<String, Object> fields) {
        return Json.mapper().convertValue(fields, CheckRequest.class);
    }

    /** Samples as the metrics ingestion publishes them, until the check's alert is open. */
    private static AlertView raiseAlert(Fleet fleet, UUID agent, String key) {
        Map<String, String> filter = Map.of("agent", agent.toString(), "check", key, "state", "active");
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> {
            fleet.server().server().bus().publish(MetricsReceived.TOPIC,
                    new MetricsReceived(agent, Instant.now(), Map.of(MetricName.CPU_PERCENT, 5.0)));
            return !fleet.admin().alerts(filter).isEmpty();
        });
        return fleet.admin().alerts(filter).get(0);
    }

    private GuruClient technician(UUID... sites) {
        String email = "tech-" + UUID.randomUUID() + "@example.test";
        world().admin().createUser(email, PASSWORD, "technician", new ScopeView(List.of(), List.of(sites)));
        GuruClient client = world().fleet().server().anonymousClient();
        client.login(email, PASSWORD);
        return client;
    }

    private static void assertStatus(int status, String messagePart, ThrowingCallable call) {
        assertThatThrownBy(call).isInstanceOfSatisfying(GuruApiException.class, e -> {
            assertThat(e.status()).as(e.getMessage()).isEqualTo(status);
            assertThat(e.getMessage()).contains(messagePart);
        });
    }

    /** Out of scope, an id gets the very answer an unknown one does (status and message, id aside). */
    private static void assertNotFoundLikeUnknown(GuruClient client, String method, String pathOf, UUID hidden, String body) {
        UUID unknown = UUID.randomUUID();
        GuruClient.RawResponse a = client.raw(method, pathOf.replace("{id}", hidden.toString()), body, Map.of());
        GuruClient.RawResponse b = client.raw(method, pathOf.replace("{id}", unknown.toString()), body, Map.of());
        assertThat(a.status()).as(pathOf + ": " + a.body()).isEqualTo(404);
        assertThat(b.status()).as(pathOf + ": " + b.body()).isEqualTo(404);
        assertThat(a.body().replace(hidden.toString(), "ID")).isEqualTo(b.body().replace(unknown.toString(), "ID"));
    }

    @Test
    void aTechnicianOfAnotherSiteSeesAndChangesNoneOfSiteAsMonitoring() {
        World w = world();
        GuruClient techB = technician(w.siteB());

        assertThat(techB.alerts(Map.of())).extracting(AlertView::agentId).contains(w.agentB()).doesNotContain(w.agentA());
        // Even asking for agent A, or site HQ, by filter: nothing.
        assertThat(techB.alerts(Map.of("agent", w.agentA().toString()))).isEmpty();
        assertThat(techB.alerts(Map.of("site", "HQ"))).isEmpty();
        // Unresolved = open + acknowledged (another test may have acknowledged A's alert).
        long activeOfB = w.admin().alerts(Map.of("agent", w.agentB().toString(), "state", "active")).size();
        AlertCounts countsB = techB.alertCounts();
        AlertCounts countsAll = w.admin().alertCounts();
        assertThat(countsB.open() + countsB.acknowledged()).as("the nav badge counts B's alerts only").isEqualTo((int) activeOfB);
        assertThat(countsAll.open() + countsAll.acknowledged()).isGreaterThan(countsB.open() + countsB.acknowledged());
        String stateOfA = w.admin().alert(w.alertA().id()).state();
        assertNotFoundLikeUnknown(techB, "GET", "/api/alerts/{id}", w.alertA().id(), null);
        assertNotFoundLikeUnknown(techB, "POST", "/api/alerts/{id}/acknowledge", w.alertA().id(), null);
        assertNotFoundLikeUnknown(techB, "POST", "/api/alerts/{id}/resolve", w.alertA().id(), null);
        assertThat(w.admin().alert(w.alertA().id()).state()).as("untouched").isEqualTo(stateOfA);

        assertThat(techB.checks(Map.of())).extracting(CheckView::id).contains(w.checkB().id(), w.siteCheckB().id())
                .doesNotContain(w.checkA().id(), w.siteCheckA().id());
        assertThat(techB.checks(Map.of("agent_id", w.agentA().toString()))).isEmpty();
        assertThat(techB.checks(Map.of("site", "HQ"))).isEmpty();
        assertNotFoundLikeUnknown(techB, "GET", "/api/checks/{id}", w.checkA().id(), null);
        assertNotFoundLikeUnknown(techB, "GET", "/api/checks/{id}", w.siteCheckA().id(), null);
        assertNotFoundLikeUnknown(techB, "PATCH", "/api/checks/{id}", w.checkA().id(), "{\"enabled\":false}");
        assertNotFoundLikeUnknown(techB, "PATCH", "/api/checks/{id}", w.siteCheckA().id(), "{\"enabled\":false}");
        assertNotFoundLikeUnknown(techB, "DELETE", "/api/checks/{id}", w.siteCheckA().id(), null);
        assertNotFoundLikeUnknown(techB, "GET", "/api/agents/{id}/checks", w.agentA(), null);
        assertThat(w.admin().check(w.siteCheckA().id()).enabled()).isTrue();

        assertThat(techB.maintenanceWindows(Map.of())).extracting(MaintenanceWindowView::id)
                .contains(w.windowB().id(), w.siteWindowB().id()).doesNotContain(w.windowA().id(), w.siteWindowA().id());
        assertThat(techB.maintenanceWindows(Map.of("agent_id", w.agentA().toString()))).isEmpty();
        assertNotFoundLikeUnknown(techB, "GET", "/api/maintenance-windows/{id}", w.windowA().id(), null);
        assertNotFoundLikeUnknown(techB, "GET", "/api/maintenance-windows/{id}", w.siteWindowA().id(), null);
        assertNotFoundLikeUnknown(techB, "PATCH", "/api/maintenance-windows/{id}", w.siteWindowA().id(), "{\"reason\":\"x\"}");
        assertNotFoundLikeUnknown(techB, "DELETE", "/api/maintenance-windows/{id}", w.windowA().id(), null);

        assertThat(techB.searchInventory(Map.of("reboot_required", "true")).results()).extracting(SearchHit::agentId)
                .contains(w.agentB()).doesNotContain(w.agentA());
        assertThat(techB.searchInventory(Map.of("software", "scope-tool")).results()).extracting(SearchHit::agentId)
                .containsExactly(w.agentB());
        assertThat(techB.searchInventory(Map.of("filesystem_free_below_percent", "10")).results()).extracting(SearchHit::agentId)
                .containsExactly(w.agentB());

        // Creating for A reads exactly as for an agent or site that does not exist.
        UUID nobody = UUID.randomUUID();
        assertStatus(400, "names no agent (" + w.agentA() + ")", () -> techB.createCheck(cpuCheck("b-on-a", w.agentA())));
        assertStatus(400, "names no agent (" + nobody + ")", () -> techB.createCheck(cpuCheck("b-on-a", nobody)));
        assertStatus(400, "names no site in your scope ('HQ')", () -> techB.createCheck(siteCheck("b-on-hq", "HQ")));
        assertStatus(400, "names no site in your scope ('Nowhere')", () -> techB.createCheck(siteCheck("b-on-hq", "Nowhere")));
        assertStatus(403, "admin-only", () -> techB.createCheck(request(Map.of("kind", "process", "scope", "fleet", "process", "x"))));
        Instant ends = Instant.now().plus(Duration.ofHours(1));
        assertStatus(400, "names no agent", () -> techB.createMaintenanceWindow(new MaintenanceWindowRequest(w.agentA(), null, null, ends, null)));
        assertStatus(400, "names no site in your scope", () -> techB.createMaintenanceWindow(new MaintenanceWindowRequest(null, "HQ", null, ends, null)));
        assertThat(w.admin().checks(Map.of("site", "HQ"))).extracting(CheckView::id).containsExactly(w.siteCheckA().id());

        // The delivery log spans sites: admin-only.
        assertThat(techB.raw("GET", "/api/notification-deliveries", null, Map.of()).status()).isEqualTo(403);
    }

    @Test
    void aTechnicianOfTheSiteSeesAndManagesItsMonitoring() {
        World w = world();
        GuruClient techA = technician(w.siteA(), w.branchA());

        assertThat(techA.alerts(Map.of())).extracting(AlertView::id).contains(w.alertA().id()).doesNotContain(w.alertB().id());
        assertThat(techA.checks(Map.of())).extracting(CheckView::id).contains(w.checkA().id(), w.siteCheckA().id())
                .doesNotContain(w.checkB().id(), w.siteCheckB().id());
        assertThat(techA.agentChecks(w.agentA())).isNotEmpty();
        assertThat(techA.maintenanceWindows(Map.of())).extracting(MaintenanceWindowView::id).contains(w.windowA().id(), w.siteWindowA().id());
        assertThat(techA.searchInventory(Map.of("software", "scope-tool")).results()).extracting(SearchHit::agentId)
                .containsExactly(w.agentA());

        CheckView own = techA.createCheck(cpuCheck("a-own-" + kind, w.agentA()));
        CheckView site = techA.createCheck(siteCheck("a-site-" + kind, "HQ"));
        assertThat(techA.updateCheck(site.id(), request(Map.of("enabled", false))).enabled()).isFalse();
        techA.deleteCheck(own.id());
        techA.deleteCheck(site.id());
        Instant ends = Instant.now().plus(Duration.ofHours(1));
        MaintenanceWindowView window = techA.createMaintenanceWindow(new MaintenanceWindowRequest(null, "HQ", null, ends, "tech"));
        techA.deleteMaintenanceWindow(window.id());

        // "Branch" names a site of each client: a site-level check or window would reach Globex's too.
        assertStatus(403, "outside your scope", () -> techA.createCheck(siteCheck("a-branch", "Branch")));
        assertStatus(403, "outside your scope", () -> techA.createMaintenanceWindow(new MaintenanceWindowRequest(null, "Branch", null, ends, null)));

        AlertView acked = techA.acknowledgeAlert(w.alertA().id());
        assertThat(acked.state()).isEqualTo("acknowledged");
        assertThat(acked.acknowledgedBy()).startsWith("tech-");
    }

    @Test
    void theEventStreamDeliversOnlyAlertChangesOfAgentsInScope() throws Exception {
        World w = world();
        GuruClient techB = technician(w.siteB());
        try (EventStream events = techB.events("alert.changed", null, null)) {
            String key = "stream-" + kind;
            w.admin().createCheck(cpuCheck(key, w.agentA()));
            raiseAlert(w.fleet(), w.agentA(), key);
            w.admin().createCheck(cpuCheck(key, w.agentB()));
            UUID alertOfB = raiseAlert(w.fleet(), w.agentB(), key).id();
            Map<String, Integer> seen = new HashMap<>();
            EventStream.Event event;
            while (!seen.containsKey(alertOfB.toString()) && (event = events.next(Duration.ofSeconds(15))) != null) {
                assertThat(event.data().toString()).doesNotContain(w.agentA().toString());
                seen.merge(event.data().get("alert_id").asText(), 1, Integer::sum);
            }
            assertThat(seen).containsKey(alertOfB.toString());
        }
    }
}
