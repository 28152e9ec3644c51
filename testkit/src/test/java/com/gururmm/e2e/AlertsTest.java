package com.gururmm.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.gururmm.client.GuruApiException;
import com.gururmm.client.GuruClient;
import com.gururmm.protocol.Json;
import com.gururmm.protocol.api.Alerts.AlertView;
import com.gururmm.protocol.api.Alerts.MaintenanceWindowRequest;
import com.gururmm.protocol.api.Alerts.MaintenanceWindowView;
import com.gururmm.protocol.api.Checks.CheckRequest;
import com.gururmm.protocol.api.Checks.CheckView;
import com.gururmm.protocol.api.Checks.EffectiveCheck;
import com.gururmm.protocol.metrics.MetricName;
import com.gururmm.server.events.AgentEventReported;
import com.gururmm.server.events.AlertChanged;
import com.gururmm.server.events.EventBus;
import com.gururmm.server.events.MetricsReceived;
import com.gururmm.testkit.Fleet;
import com.gururmm.testkit.SharedFleet;
import com.gururmm.testkit.TestDatabase;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Thresholds, the alert lifecycle, maintenance windows, crash alerts and check validation on a
 * real server with a real agent, against H2 and PostgreSQL. Samples are published on the
 * server's bus as {@link MetricsReceived}, exactly as the metrics ingestion publishes them once
 * stored (so this holds whichever sampler feeds them).
 */
@ParameterizedClass
@EnumSource(TestDatabase.Kind.class)
class AlertsTest {
    private static final SharedFleet FLEET = new SharedFleet();

    @Parameter
    TestDatabase.Kind kind;
    private Fleet fleet;
    private GuruClient admin;
    private UUID agentId;
    private EventBus bus;
    private final List<AlertChanged> events = new CopyOnWriteArrayList<>();
    private EventBus.Subscription subscription;
    private Instant clock = Instant.now().truncatedTo(ChronoUnit.SECONDS);

    @BeforeEach
    void useFleet() {
        fleet = FLEET.get(kind);
        admin = fleet.admin();
        agentId = FLEET.agentId();
        bus = fleet.server().server().bus();
        subscription = bus.subscribe(AlertChanged.TOPIC, events::add);
    }

    @AfterEach
    void unsubscribe() {
        subscription.close();
    }

    @AfterAll
    static void stopFleet() {
        FLEET.close();
    }

    static CheckRequest request(Map<String, Object> fields) {
        return Json.mapper().convertValue(fields, CheckRequest.class);
    }

    private CheckView threshold(String key, String metric, double threshold, String duration) {
        return admin.createCheck(request(Map.of("key", key, "kind", "metric_threshold", "agent_id", agentId.toString(),
                "metric", metric, "operator", ">", "threshold", threshold, "duration", duration, "severity", "critical")));
    }

    /** One sample a minute (the sampler's default cadence), in order. */
    private void sample(String metric, double value) {
        clock = clock.plusSeconds(60);
        bus.publish(MetricsReceived.TOPIC, new MetricsReceived(agentId, clock, Map.of(metric, value)));
    }

    private List<AlertView> alerts(String key) {
        return admin.alerts(Map.of("agent", agentId.toString(), "check", key));
    }

    private List<AlertChanged> eventsFor(String key) {
        return events.stream().filter(e -> e.checkKey().equals(key)).toList();
    }

    /** Lets the bus deliver everything published so far: a marker sample on another metric is evaluated after them. */
    private void settle() {
        Awaitility.await().pollDelay(Duration.ofMillis(300)).atMost(Duration.ofSeconds(5)).until(() -> true);
    }

    @Test
    void aLowThresholdOpensExactlyOneAlertAndRaisingItResolvesIt() {
        String key = "cpu-" + kind;
        CheckView check = threshold(key, MetricName.CPU_PERCENT, 10, "0s");
        for (int i = 0; i < 30; i++) {
            sample(MetricName.CPU_PERCENT, 50 + i);
        }
        Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> alerts(key).size() == 1);
        settle();
        assertThat(alerts(key)).singleElement().satisfies(a -> {
            assertThat(a.state()).isEqualTo("open");
            assertThat(a.severity()).isEqualTo("critical");
            assertThat(a.kind()).isEqualTo("metric_threshold");
            assertThat(a.checkId()).isEqualTo(check.id());
            assertThat(a.occurrences()).isEqualTo(1);
            assertThat(a.silenced()).isFalse();
            assertThat(a.lastValue()).isEqualTo("50");
            assertThat(a.hostname()).isNotBlank();
        });
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> eventsFor(key).size() == 1);
        settle();
        assertThat(eventsFor(key)).as("30 breaching samples announce one alert").hasSize(1);

        admin.updateCheck(check.id(), request(Map.of("threshold", 90.0)));
        sample(MetricName.CPU_PERCENT, 50);
        sample(MetricName.CPU_PERCENT, 51);
        Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> alerts(key).get(0).state().equals("resolved"));
        assertThat(alerts(key)).singleElement().satisfies(a -> {
            assertThat(a.resolvedBy()).isEqualTo("system");
            assertThat(a.resolvedAt()).isNotNull();
        });
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> eventsFor(key).size() == 2);
        assertThat(eventsFor(key).get(1).state()).isEqualTo("resolved");
        admin.deleteCheck(check.id());
    }

    @Test
    void flappingDoesNotCreateAFlood() {
        String key = "mem-" + kind;
        CheckView check = threshold(key, MetricName.MEMORY_PERCENT, 80, "0s");
        // One good sample between bad ones is not enough to resolve (two in a row are needed).
        for (int i = 0; i < 10; i++) {
            sample(MetricName.MEMORY_PERCENT, 95);
            sample(MetricName.MEMORY_PERCENT, 20);
        }
        sample(MetricName.MEMORY_PERCENT, 95);
        Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> alerts(key).size() == 1);
        settle();
        assertThat(alerts(key)).singleElement().satisfies(a -> {
            assertThat(a.state()).isEqualTo("open");
            assertThat(a.occurrences()).isEqualTo(1);
        });
        // Resolving and coming back within the flap window re-opens the same alert.
        for (int i = 0; i < 5; i++) {
            sample(MetricName.MEMORY_PERCENT, 20);
            sample(MetricName.MEMORY_PERCENT, 20);
            sample(MetricName.MEMORY_PERCENT, 95);
        }
        Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> alerts(key).get(0).occurrences() == 6);
        settle();
        assertThat(alerts(key)).as("one row however often it flapped").singleElement()
                .satisfies(a -> assertThat(a.state()).isEqualTo("open"));
        admin.deleteCheck(check.id());
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> alerts(key).get(0).state().equals("resolved"));
    }

    @Test
    void theValueMustHoldForTheWholeDuration() {
        String key = "swap-" + kind;
        CheckView check = threshold(key, MetricName.SWAP_PERCENT, 50, "5m");
        for (int i = 0; i < 5; i++) {
            sample(MetricName.SWAP_PERCENT, 90); // minutes 0..4 of the run
        }
        sample(MetricName.SWAP_PERCENT, 10); // breaks the run
        for (int i = 0; i < 5; i++) {
            sample(MetricName.SWAP_PERCENT, 90);
        }
        settle();
        assertThat(alerts(key)).as("never five minutes of breaching samples yet").isEmpty();
        sample(MetricName.SWAP_PERCENT, 90); // the run now spans five minutes
        Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> alerts(key).size() == 1);
        assertThat(alerts(key).get(0).message()).contains("swap.percent = 90").contains("for 5m");
        admin.deleteCheck(check.id());
    }

    @Test
    void aMaintenanceWindowSilencesButKeepsTheAlert() {
        String key = "disk-" + kind;
        MaintenanceWindowView window = admin.createMaintenanceWindow(new MaintenanceWindowRequest(agentId, null, null,
                Instant.now().plus(Duration.ofHours(1)), "disk migration"));
        try {
            assertThat(window.active()).isTrue();
            CheckView check = threshold(key, "disk.percent:/", 10, "0s");
            sample("disk.percent:/", 99);
            Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> alerts(key).size() == 1);
            assertThat(alerts(key).get(0).silenced()).isTrue();
            Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> eventsFor(key).size() == 1);
            assertThat(eventsFor(key).get(0).silenced()).as("notifications skip it").isTrue();
            assertThat(admin.alertCounts().silenced()).isGreaterThanOrEqualTo(1);
            admin.deleteCheck(check.id());
        } finally {
            admin.deleteMaintenanceWindow(window.id());
        }
        assertThat(admin.maintenanceWindows(Map.of("agent_id", agentId.toString()))).isEmpty();
        assertThat(admin.audit()).extracting(e -> e.action()).contains("maintenance_window.create", "maintenance_window.delete");
    }

    @Test
    void acknowledgeAndResolveAreAuditedAndNeedATechnician() {
        String key = "load-" + kind;
        CheckView check = threshold(key, MetricName.LOAD_1, 1, "0s");
        sample(MetricName.LOAD_1, 12);
        Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> alerts(key).size() == 1);
        AlertView alert = alerts(key).get(0);
        String viewerEmail = "viewer-" + kind.name().toLowerCase() + "@example.test";
        String techEmail = "tech-" + kind.name().toLowerCase() + "@example.test";
        // Scoped to the agent's site: an empty scope would see no alert at all (MonitoringScopeTest).
        var scope = new com.gururmm.protocol.api.Auth.ScopeView(List.of(), List.of(admin.agent(agentId).siteId()));
        admin.createUser(viewerEmail, "viewer-password-123", "viewer", scope);
        admin.createUser(techEmail, "technician-password-123", "technician", scope);
        GuruClient viewer = fleet.server().anonymousClient();
        viewer.login(viewerEmail, "viewer-password-123");
        GuruClient tech = fleet.server().anonymousClient();
        tech.login(techEmail, "technician-password-123");

        assertThat(viewer.alerts(Map.of("state", "open"))).extracting(AlertView::id).contains(alert.id());
        assertThatThrownBy(() -> viewer.acknowledgeAlert(alert.id())).isInstanceOfSatisfying(GuruApiException.class,
                e -> assertThat(e.status()).isEqualTo(403));
        int openBefore = admin.alertCounts().open();
        AlertView acked = tech.acknowledgeAlert(alert.id());
        assertThat(acked.state()).isEqualTo("acknowledged");
        assertThat(acked.acknowledgedBy()).isEqualTo(techEmail);
        assertThat(admin.alertCounts().open()).isEqualTo(openBefore - 1);
        assertThatThrownBy(() -> tech.acknowledgeAlert(alert.id())).isInstanceOfSatisfying(GuruApiException.class,
                e -> assertThat(e.status()).isEqualTo(409));
        sample(MetricName.LOAD_1, 13);
        settle();
        assertThat(admin.alert(alert.id()).state()).as("still breaching: stays acknowledged").isEqualTo("acknowledged");
        AlertView resolved = tech.resolveAlert(alert.id());
        assertThat(resolved.state()).isEqualTo("resolved");
        assertThat(resolved.resolvedBy()).isEqualTo(techEmail);
        assertThatThrownBy(() -> tech.resolveAlert(alert.id())).isInstanceOfSatisfying(GuruApiException.class,
                e -> assertThat(e.status()).isEqualTo(409));
        assertThat(admin.audit()).anySatisfy(e -> {
            assertThat(e.action()).isEqualTo("alert.acknowledge");
            assertThat(e.actor()).isEqualTo(techEmail);
            assertThat(e.target()).isEqualTo(alert.id().toString());
        }).anySatisfy(e -> assertThat(e.action()).isEqualTo("alert.resolve"));
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> eventsFor(key).size() == 3);
        assertThat(eventsFor(key)).extracting(AlertChanged::state).containsExactly("open", "acknowledged", "resolved");
        assertThat(admin.alerts(Map.of("state", "resolved", "check", key))).hasSize(1);
        assertThat(admin.alerts(Map.of("severity", "critical", "since", Instant.now().minusSeconds(600).toString(), "check", key))).hasSize(1);
        admin.deleteCheck(check.id());
    }

    @Test
    void badChecksAreRefusedNamingTheFieldAndNothingIsStored() {
        int before = admin.checks(Map.of()).size();
        Map<String, Object> good = new HashMap<>(Map.of("kind", "metric_threshold", "agent_id", agentId.toString(), "metric", "cpu.percent",
                "operator", ">", "threshold", 90.0, "duration", "5m"));
        Map<String, String> cases = Map.of(
                "metric", "cpu.percentage",
                "threshold", "150",
                "kind", "cpu_threshold",
                "duration", "5 parsecs",
                "operator", ">=");
        for (Map.Entry<String, String> c : cases.entrySet()) {
            Map<String, Object> body = new HashMap<>(good);
            body.put(c.getKey(), c.getKey().equals("threshold") ? (Object) Double.parseDouble(c.getValue()) : c.getValue());
            assertThatThrownBy(() -> admin.createCheck(request(body))).as(c.getKey()).isInstanceOfSatisfying(GuruApiException.class, e -> {
                assertThat(e.status()).isEqualTo(400);
                assertThat(e.getMessage()).contains("'" + c.getKey() + "'");
            });
        }
        Map<String, Object> noAgent = new HashMap<>(good);
        noAgent.put("agent_id", UUID.randomUUID().toString());
        assertThatThrownBy(() -> admin.createCheck(request(noAgent))).isInstanceOfSatisfying(GuruApiException.class,
                e -> assertThat(e.getMessage()).contains("'agent_id'"));
        GuruClient.RawResponse wrongType = admin.raw("POST", "/api/checks", "{\"kind\":\"metric_threshold\",\"threshold\":\"high\"}", Map.of());
        assertThat(wrongType.status()).isEqualTo(400);
        GuruClient.RawResponse nul = admin.raw("POST", "/api/checks", "{\"kind\":\"process\",\"agent_id\":\"" + agentId
                + "\",\"process\":\"a\\u0000b\"}", Map.of());
        assertThat(nul.status()).isEqualTo(400);
        assertThat(admin.checks(Map.of())).hasSize(before);
        GuruClient.RawResponse badBy = admin.raw("GET", "/api/alerts/counts?by=site", null, Map.of());
        assertThat(badBy.status()).isEqualTo(400);
        assertThat(badBy.body()).contains("'by'");

        CheckView created = admin.createCheck(request(good));
        try {
            assertThatThrownBy(() -> admin.updateCheck(created.id(), request(Map.of("threshold", 101.0))))
                    .isInstanceOfSatisfying(GuruApiException.class, e -> assertThat(e.getMessage()).contains("'threshold'"));
            assertThat(admin.check(created.id()).threshold()).as("a refused change changes nothing").isEqualTo(90.0);
            assertThatThrownBy(() -> admin.createCheck(request(good))).as("same key, same scope")
                    .isInstanceOfSatisfying(GuruApiException.class, e -> assertThat(e.status()).isEqualTo(409));
        } finally {
            admin.deleteCheck(created.id());
        }
        String techEmail = "tech-fleet-" + kind.name().toLowerCase() + "@example.test";
        admin.createUser(techEmail, "technician-password-123", "technician");
        GuruClient tech = fleet.server().anonymousClient();
        tech.login(techEmail, "technician-password-123");
        assertThatThrownBy(() -> tech.createCheck(request(Map.of("kind", "agent_offline", "scope", "fleet", "minutes", 5.0))))
                .isInstanceOfSatisfying(GuruApiException.class, e -> assertThat(e.status()).isEqualTo(403));
        assertThat(admin.checks(Map.of())).hasSize(before);
    }

    @Test
    void anAgentOverrideReplacesOrDisablesTheFleetDefault() {
        CheckView fleetDefault = admin.createCheck(request(Map.of("key", "users-" + kind, "kind", "metric_threshold", "scope", "fleet",
                "metric", MetricName.USERS_COUNT, "operator", ">", "threshold", 5.0)));
        CheckView override = admin.createCheck(request(Map.of("key", "users-" + kind, "kind", "metric_threshold", "agent_id",
                agentId.toString(), "metric", MetricName.USERS_COUNT, "operator", ">", "threshold", 50.0)));
        try {
            EffectiveCheck effective = admin.agentChecks(agentId).stream().filter(c -> c.check().key().equals("users-" + kind))
                    .findFirst().orElseThrow();
            assertThat(effective.origin()).isEqualTo("agent");
            assertThat(effective.replaces()).containsExactly(fleetDefault.id());
            assertThat(effective.check().threshold()).isEqualTo(50.0);
            sample(MetricName.USERS_COUNT, 20); // over the fleet's 5, under the agent's 50
            settle();
            assertThat(alerts("users-" + kind)).isEmpty();
            admin.updateCheck(override.id(), request(Map.of("enabled", false)));
            assertThat(admin.agentChecks(agentId)).filteredOn(c -> c.check().key().equals("users-" + kind))
                    .singleElement().satisfies(c -> assertThat(c.check().enabled()).isFalse());
            sample(MetricName.USERS_COUNT, 80);
            settle();
            assertThat(alerts("users-" + kind)).as("disabled for this agent").isEmpty();
            admin.deleteCheck(override.id());
            sample(MetricName.USERS_COUNT, 20);
            Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> alerts("users-" + kind).size() == 1);
            assertThat(alerts("users-" + kind).get(0).checkId()).isEqualTo(fleetDefault.id());
        } finally {
            admin.deleteCheck(fleetDefault.id());
        }
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> alerts("users-" + kind).get(0).state().equals("resolved"));
    }

    @Test
    void aBugcheckOpensOneCriticalAlertPerOccurrence() {
        Instant at = Instant.now().minusSeconds(30);
        String k1 = "evt-" + UUID.randomUUID();
        for (int i = 0; i < 3; i++) {
            bus.publish(AgentEventReported.TOPIC, new AgentEventReported(agentId, "bugcheck", "critical",
                    "0x0000009f DRIVER_POWER_STATE_FAILURE", k1, at));
        }
        bus.publish(AgentEventReported.TOPIC, new AgentEventReported(agentId, "bugcheck", "critical", "0x000000d1", "evt-" + UUID.randomUUID(), at));
        bus.publish(AgentEventReported.TOPIC, new AgentEventReported(agentId, "service_crash", "warning", "not a bugcheck", "x", at));
        Awaitility.await().atMost(Duration.ofSeconds(20)).until(() ->
                admin.alerts(Map.of("agent", agentId.toString())).stream().filter(a -> a.kind().equals("bugcheck")).count() >= 2);
        settle();
        List<AlertView> crashes = admin.alerts(Map.of("agent", agentId.toString())).stream().filter(a -> a.kind().equals("bugcheck")).toList();
        assertThat(crashes).hasSize(2).allSatisfy(a -> {
            assertThat(a.severity()).isEqualTo("critical");
            assertThat(a.state()).isEqualTo("open");
        });
        assertThat(crashes).anySatisfy(a -> assertThat(a.message()).contains("DRIVER_POWER_STATE_FAILURE"));
        crashes.forEach(a -> admin.resolveAlert(a.id()));
        bus.publish(AgentEventReported.TOPIC, new AgentEventReported(agentId, "bugcheck", "critical", "again", k1, at));
        settle();
        assertThat(admin.alerts(Map.of("agent", agentId.toString(), "check", "bugcheck:" + k1))).as("a resent report adds nothing")
                .singleElement().satisfies(a -> assertThat(a.state()).isEqualTo("resolved"));
    }
}
