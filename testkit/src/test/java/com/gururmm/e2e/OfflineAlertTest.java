package com.gururmm.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.gururmm.client.GuruClient;
import com.gururmm.protocol.api.Alerts.AlertView;
import com.gururmm.protocol.api.Alerts.MaintenanceWindowRequest;
import com.gururmm.protocol.api.Alerts.MaintenanceWindowView;
import com.gururmm.protocol.api.Checks.CheckView;
import com.gururmm.server.events.AlertChanged;
import com.gururmm.server.events.EventBus;
import com.gururmm.testkit.AgentProcess;
import com.gururmm.testkit.Fleet;
import com.gururmm.testkit.TestDatabase;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Offline checks with a real agent process: killing it opens the alert after N minutes, its return resolves it. */
class OfflineAlertTest {
    private Fleet fleet;
    private GuruClient admin;
    private AgentProcess agent;
    private UUID agentId;

    @BeforeEach
    void start() {
        fleet = Fleet.start(TestDatabase.Kind.H2);
        admin = fleet.admin();
        agent = fleet.addAgent();
        agentId = agent.agentId();
    }

    @AfterEach
    void stop() {
        fleet.close();
    }

    private CheckView offlineCheck(double minutes) {
        return admin.createCheck(AlertsTest.request(Map.of("kind", "agent_offline", "agent_id", agentId.toString(), "minutes", minutes)));
    }

    private List<AlertView> offlineAlerts() {
        return admin.alerts(Map.of("agent", agentId.toString(), "check", "agent_offline"));
    }

    @Test
    void killingTheAgentOpensAnOfflineAlertAndItsReturnResolvesIt() {
        offlineCheck(0.05); // 3 s
        EventBus bus = fleet.server().server().bus();
        List<AlertChanged> events = new CopyOnWriteArrayList<>();
        EventBus.Subscription sub = bus.subscribe(AlertChanged.TOPIC, events::add);
        Instant killedAt = Instant.now();
        agent.kill();
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> offlineAlerts().size() == 1);
        AlertView alert = offlineAlerts().get(0);
        assertThat(alert.state()).isEqualTo("open");
        assertThat(alert.severity()).as("offline defaults to critical").isEqualTo("critical");
        assertThat(alert.silenced()).isFalse();
        assertThat(Duration.between(killedAt, alert.openedAt())).as("not before the 3 s").isGreaterThanOrEqualTo(Duration.ofMillis(2500));

        agent.start().awaitOnline(admin);
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> offlineAlerts().get(0).state().equals("resolved"));
        assertThat(offlineAlerts()).hasSize(1);
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> events.size() >= 2);
        assertThat(events).extracting(AlertChanged::state).containsExactly("open", "resolved");
        sub.close();
    }

    @Test
    void aMaintenanceWindowSilencesTheOfflineAlert() {
        offlineCheck(0.05);
        MaintenanceWindowView window = admin.createMaintenanceWindow(new MaintenanceWindowRequest(agentId, null, null,
                Instant.now().plus(Duration.ofMinutes(30)), "reboot for kernel update"));
        agent.kill();
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> offlineAlerts().size() == 1);
        assertThat(offlineAlerts().get(0).silenced()).as("recorded, but silenced").isTrue();
        admin.deleteMaintenanceWindow(window.id());
    }

    @Test
    void anAgentOfflineWhenTheServerStartsGetsItsAlertWithoutAnyPresenceEvent() {
        offlineCheck(0.25); // 15 s: longer than the restart, so only the start-up catch-up can raise it
        agent.kill();
        fleet.server().restart();
        GuruClient client = fleet.server().adminClient();
        Awaitility.await().atMost(Duration.ofSeconds(60)).until(() ->
                client.alerts(Map.of("agent", agentId.toString(), "check", "agent_offline")).size() == 1);
        assertThat(client.alerts(Map.of("agent", agentId.toString(), "check", "agent_offline")).get(0).state()).isEqualTo("open");
    }
}
