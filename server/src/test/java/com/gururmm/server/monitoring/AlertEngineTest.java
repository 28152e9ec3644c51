package com.gururmm.server.monitoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.gururmm.protocol.api.Alerts.AlertView;
import com.gururmm.server.agent.AgentStore;
import com.gururmm.server.audit.AuditLog;
import com.gururmm.server.db.Database;
import com.gururmm.server.events.AlertChanged;
import com.gururmm.server.events.InProcessEventBus;
import com.gururmm.server.routing.AccessFilter;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The alert store and engine on the real migrations, on H2 and PostgreSQL: one unresolved alert
 * per check per agent (the unique open key), the flap guard, and the lifecycle's conditional updates.
 */
@ParameterizedClass
@ValueSource(strings = {"h2", "postgres"})
class AlertEngineTest {
    private static final String PG_ADMIN = System.getenv().getOrDefault("GURURMM_TEST_PG_URL", "jdbc:postgresql://127.0.0.1:5432/test?user=postgres");

    @Parameter
    String kind;
    private String pgName;
    private Database db;
    private AlertStore store;
    private AlertEngine engine;
    private MaintenanceWindows windows;
    private final MutableClock clock = new MutableClock(Instant.now().truncatedTo(ChronoUnit.MILLIS));
    private final List<AlertChanged> events = new CopyOnWriteArrayList<>();
    private InProcessEventBus bus;
    private final UUID agent = UUID.randomUUID();

    static final class MutableClock extends Clock {
        private volatile Instant now;

        MutableClock(Instant now) {
            this.now = now;
        }

        void advance(Duration d) {
            now = now.plus(d);
        }

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    @BeforeEach
    void open() throws Exception {
        String url;
        if (kind.equals("h2")) {
            url = "jdbc:h2:file:" + Files.createTempDirectory("alerts-h2").resolve("db") + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH";
        } else {
            pgName = "gururmm_alerts_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
            try (Connection c = DriverManager.getConnection(PG_ADMIN)) {
                c.createStatement().execute("CREATE DATABASE " + pgName);
            } catch (SQLException e) {
                if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                    throw e;
                }
                Assumptions.abort("PostgreSQL not reachable: " + e.getMessage());
            }
            url = PG_ADMIN.replaceFirst("/test(\\?|$)", "/" + pgName + "$1");
        }
        db = Database.open(url, "", "");
        bus = new InProcessEventBus();
        bus.subscribe(AlertChanged.TOPIC, events::add);
        store = new AlertStore(db.jdbi());
        windows = new MaintenanceWindows(db.jdbi(), new AuditLog(db.jdbi(), clock), clock, AccessFilter.AgentScope.ANY);
        windows.reload();
        engine = new AlertEngine(store, new AgentDirectory(new AgentStore(db.jdbi())), windows, bus, clock, Duration.ofMinutes(10));
    }

    @AfterEach
    void close() throws Exception {
        bus.close();
        db.close();
        if (pgName != null) {
            try (Connection c = DriverManager.getConnection(PG_ADMIN)) {
                c.createStatement().execute("DROP DATABASE IF EXISTS " + pgName + " WITH (FORCE)");
            }
        }
    }

    private AlertView raise(String key, String severity) {
        return engine.raise(agent, key, null, "metric_threshold", severity, "cpu high", "cpu = 97", "97");
    }

    private List<AlertView> rows(String key) {
        return store.list(com.gururmm.server.auth.Scope.ALL, null, null, agent, null, key, null, 100);
    }

    @Test
    void raisingAgainUpdatesTheOneOpenAlert() {
        AlertView first = raise("cpu", "warning");
        AlertView second = raise("cpu", "warning");
        AlertView escalated = raise("cpu", "critical");
        assertThat(second.id()).isEqualTo(first.id());
        assertThat(escalated.id()).isEqualTo(first.id());
        assertThat(escalated.severity()).isEqualTo("critical");
        assertThat(rows("cpu")).hasSize(1);
        // Opened, then the severity change; the repeat with the same value announces nothing.
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> events.size() == 2);
        assertThat(events).extracting(AlertChanged::state).containsExactly("open", "open");
        assertThat(events).extracting(AlertChanged::severity).containsExactly("warning", "critical");
    }

    @Test
    void theDatabaseRefusesASecondUnresolvedAlertForTheSameCheck() {
        AlertView first = raise("disk", "warning");
        AlertView twin = new AlertView(UUID.randomUUID(), agent, null, null, "disk", null, "metric_threshold", "warning", "open", "t",
                null, null, 1, false, clock.instant(), clock.instant(), null, null, null, null);
        assertThatThrownBy(() -> store.insert(twin)).isInstanceOf(RuntimeException.class);
        engine.clear(agent, "disk");
        clock.advance(Duration.ofMinutes(11));
        // Once the first is resolved (open key NULL), a new alert for the same check is allowed.
        AlertView next = raise("disk", "warning");
        assertThat(next.id()).isNotEqualTo(first.id());
        assertThat(rows("disk")).extracting(AlertView::state).containsExactlyInAnyOrder("resolved", "open");
    }

    @Test
    void aConditionBackWithinTheFlapWindowReopensTheSameAlert() {
        AlertView first = raise("load", "warning");
        for (int i = 0; i < 5; i++) {
            clock.advance(Duration.ofMinutes(1));
            assertThat(engine.clear(agent, "load")).isPresent();
            clock.advance(Duration.ofMinutes(2));
            assertThat(raise("load", "warning").id()).isEqualTo(first.id());
        }
        assertThat(rows("load")).singleElement().satisfies(a -> {
            assertThat(a.state()).isEqualTo("open");
            assertThat(a.occurrences()).isEqualTo(6);
            assertThat(a.resolvedAt()).isNull();
        });
        engine.clear(agent, "load");
        clock.advance(Duration.ofMinutes(10).plusSeconds(1));
        assertThat(raise("load", "warning").id()).as("past the flap window: a new alert").isNotEqualTo(first.id());
    }

    @Test
    void lifecycleTransitionsAreConditional() {
        AlertView a = raise("svc", "critical");
        assertThat(engine.acknowledge(a, "tech@example.test")).get().satisfies(x -> {
            assertThat(x.state()).isEqualTo("acknowledged");
            assertThat(x.acknowledgedBy()).isEqualTo("tech@example.test");
        });
        assertThat(engine.acknowledge(a, "again")).isEmpty();
        assertThat(raise("svc", "critical").state()).as("still bad: stays acknowledged").isEqualTo("acknowledged");
        assertThat(engine.resolve(a, "tech@example.test")).get().satisfies(x -> {
            assertThat(x.state()).isEqualTo("resolved");
            assertThat(x.resolvedBy()).isEqualTo("tech@example.test");
        });
        assertThat(engine.resolve(a, "again")).isEmpty();
        assertThat(engine.clear(agent, "svc")).isEmpty();
        assertThat(store.counts(com.gururmm.server.auth.Scope.ALL).open() + store.counts(com.gururmm.server.auth.Scope.ALL).acknowledged()).isZero();
    }

    @Test
    void aMaintenanceWindowMarksTheAlertSilenced() {
        windows.create(com.gururmm.server.auth.Principal.SYSTEM, new com.gururmm.protocol.api.Alerts.MaintenanceWindowRequest(agent, null,
                clock.instant().minusSeconds(60), clock.instant().plus(Duration.ofHours(1)), "patching"));
        AlertView a = raise("mw", "critical");
        assertThat(a.silenced()).isTrue();
        assertThat(store.counts(com.gururmm.server.auth.Scope.ALL).silenced()).isEqualTo(1);
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> !events.isEmpty());
        assertThat(events.get(0).silenced()).isTrue();
        engine.clear(agent, "mw");
        clock.advance(Duration.ofHours(2));
        assertThat(raise("mw", "critical").silenced()).as("after the window").isFalse();
        assertThat(Map.of()).isEmpty();
    }

    @Test
    void countsByAgentGroupsUnresolvedAlertsWithTheWorstSeverity() {
        UUID other = UUID.randomUUID();
        raise("cpu", "warning");
        AlertView disk = raise("disk", "critical");
        engine.acknowledge(disk, "tech@example.test");
        AlertView gone = raise("mem", "critical");
        engine.resolve(gone, "tech@example.test");
        engine.raise(other, "svc", null, "service", "info", "svc down", "svc down", null);
        engine.resolve(raise("old", "critical"), "tech@example.test");

        var byAgent = store.countsByAgent(com.gururmm.server.auth.Scope.ALL);
        assertThat(byAgent).hasSize(2);
        assertThat(byAgent).filteredOn(c -> c.agentId().equals(agent)).singleElement().satisfies(c -> {
            assertThat(c.open()).as("cpu").isEqualTo(1);
            assertThat(c.acknowledged()).as("disk").isEqualTo(1);
            assertThat(c.worstSeverity()).as("resolved criticals do not count").isEqualTo("critical");
        });
        assertThat(byAgent).filteredOn(c -> c.agentId().equals(other)).singleElement().satisfies(c -> {
            assertThat(c.open()).isEqualTo(1);
            assertThat(c.worstSeverity()).isEqualTo("info");
        });
        engine.resolve(disk, "tech@example.test");
        assertThat(store.countsByAgent(com.gururmm.server.auth.Scope.ALL)).filteredOn(c -> c.agentId().equals(agent)).singleElement()
                .satisfies(c -> assertThat(c.worstSeverity()).as("only the warning left").isEqualTo("warning"));
        assertThat(store.countsByAgent(com.gururmm.server.auth.Scope.NONE)).as("an empty scope sees nothing").isEmpty();
    }
}
