package com.gururmm.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.gururmm.client.GuruClient;
import com.gururmm.protocol.api.Alerts.AlertView;
import com.gururmm.protocol.api.Checks.CheckView;
import com.gururmm.protocol.api.Checks.EffectiveCheck;
import com.gururmm.testkit.AgentProcess;
import com.gururmm.testkit.Fleet;
import com.gururmm.testkit.TestDatabase;
import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Checks the real agent process runs itself (pushed in checks_config, reported in check_results). */
class AgentChecksTest {
    private static Fleet fleet;
    private static GuruClient admin;
    private static AgentProcess agent;
    private static UUID agentId;

    @BeforeAll
    static void start() {
        fleet = Fleet.start(TestDatabase.Kind.H2);
        admin = fleet.admin();
        agent = fleet.addAgent();
        agentId = agent.agentId();
    }

    @AfterAll
    static void stop() {
        fleet.close();
    }

    private static CheckView check(Map<String, Object> fields) {
        Map<String, Object> all = new HashMap<>(fields);
        all.put("agent_id", agentId.toString());
        all.putIfAbsent("interval_minutes", 0.02); // every 1.2 s
        return admin.createCheck(AlertsTest.request(all));
    }

    private static List<AlertView> alerts(String key) {
        return admin.alerts(Map.of("agent", agentId.toString(), "check", key));
    }

    private static EffectiveCheck effective(String key) {
        return admin.agentChecks(agentId).stream().filter(c -> c.check().key().equals(key)).findFirst().orElseThrow();
    }

    @Test
    void aScriptCheckReportsItsExitCodeAndOutputAndRecovers() {
        CheckView check = check(Map.of("key", "script:disk", "kind", "script", "script_type", "sh",
                "script", "echo 'disk /data 97% full'\nexit 2"));
        Awaitility.await("agent log: " + agent.log()).atMost(Duration.ofSeconds(30)).until(() -> alerts("script:disk").size() == 1);
        AlertView alert = alerts("script:disk").get(0);
        assertThat(alert.severity()).as("exit 2 = critical").isEqualTo("critical");
        assertThat(alert.message()).contains("disk /data 97% full");
        assertThat(effective("script:disk").lastStatus()).isEqualTo("critical");
        assertThat(effective("script:disk").lastOutput()).isEqualTo("disk /data 97% full\n");

        admin.updateCheck(check.id(), AlertsTest.request(Map.of("script", "echo 'disk at 80%'\nexit 1")));
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> alerts("script:disk").get(0).severity().equals("warning"));
        admin.updateCheck(check.id(), AlertsTest.request(Map.of("script", "echo fine\nexit 0")));
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> alerts("script:disk").get(0).state().equals("resolved"));
        assertThat(alerts("script:disk")).as("one alert through critical, warning and recovery").hasSize(1);
        assertThat(effective("script:disk").lastOutput()).isEqualTo("fine\n");
        admin.deleteCheck(check.id());
    }

    @Test
    void serviceProcessTcpAndHttpChecksReportThroughTheAgent() throws IOException {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        CheckView service = check(Map.of("kind", "service", "service", "gururmm-no-such-unit.service"));
        CheckView missingProcess = check(Map.of("kind", "process", "process", "gururmm-no-such-process"));
        CheckView java = check(Map.of("kind", "process", "process", "java"));
        CheckView closed = check(Map.of("kind", "tcp_port", "host", "127.0.0.1", "port", closedPort, "timeout_seconds", 2));
        CheckView open = check(Map.of("kind", "tcp_port", "host", "127.0.0.1", "port", fleet.server().port()));
        CheckView http = check(Map.of("kind", "http", "url", fleet.server().url() + "/healthz", "expected_status", 200));
        CheckView http404 = check(Map.of("kind", "http", "url", fleet.server().url() + "/no-such-page", "expected_status", 200));

        for (CheckView failing : List.of(service, missingProcess, closed, http404)) {
            Awaitility.await(failing.key() + "; agent log: " + agent.log()).atMost(Duration.ofSeconds(30))
                    .until(() -> alerts(failing.key()).size() == 1);
            assertThat(alerts(failing.key()).get(0).kind()).isEqualTo(failing.kind());
        }
        assertThat(alerts(closed.key()).get(0).message()).contains("127.0.0.1:" + closedPort + " unreachable");
        assertThat(alerts(http404.key()).get(0).message()).contains("answered 404");
        for (CheckView passing : List.of(java, open, http)) {
            Awaitility.await(passing.key()).atMost(Duration.ofSeconds(30)).until(() -> "ok".equals(effective(passing.key()).lastStatus()));
            assertThat(alerts(passing.key())).isEmpty();
        }
        assertThat(effective(java.key()).origin()).isEqualTo("agent");
        for (CheckView c : List.of(service, missingProcess, java, closed, open, http, http404)) {
            admin.deleteCheck(c.id());
        }
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> alerts(closed.key()).get(0).state().equals("resolved"));
    }

    @Test
    void aCriticalResultProducedWhileTheServerIsDownArrivesFromTheOutbox() {
        // Hourly: the one run in this test comes 0-5 s after the agent receives the check, so the
        // server is stopped the moment it has been pushed and the result waits in the check outbox.
        CheckView check = check(Map.of("key", "script:outage", "kind", "script", "script_type", "sh", "script", "echo down\nexit 2",
                "interval_minutes", 60.0));
        Awaitility.await().pollInterval(Duration.ofMillis(20)).atMost(Duration.ofSeconds(30)).until(() -> agent.log().contains("script:outage"));
        fleet.server().stop();
        Awaitility.await().pollDelay(Duration.ofSeconds(4)).atMost(Duration.ofSeconds(10)).until(() -> true);
        fleet.server().startAgain();
        admin = fleet.server().adminClient();
        Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> alerts("script:outage").size() == 1);
        assertThat(alerts("script:outage").get(0).severity()).isEqualTo("critical");
        admin.deleteCheck(check.id());
    }
}
