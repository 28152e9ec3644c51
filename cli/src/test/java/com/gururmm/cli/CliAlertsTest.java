package com.gururmm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.gururmm.client.GuruClient;
import com.gururmm.protocol.api.Alerts.AlertView;
import com.gururmm.server.events.MetricsReceived;
import com.gururmm.testkit.Fleet;
import com.gururmm.testkit.TestDatabase;
import com.gururmm.testkit.TestServer;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code gururmm checks ...} and {@code gururmm alerts ...} against a real server and agent. */
class CliAlertsTest {
    private static Fleet fleet;
    private static UUID agentId;
    private static Cli cli;

    @BeforeAll
    static void start(@TempDir Path dir) throws Exception {
        fleet = Fleet.start(TestDatabase.Kind.H2);
        agentId = fleet.onlineAgentId();
        cli = new Cli(dir.resolve("config"));
        Cli.Result login = cli.runWithStdin(TestServer.ADMIN_PASSWORD + "\n", "login", "--server", fleet.server().url().toString(),
                "--email", TestServer.ADMIN_EMAIL, "--password-stdin");
        assertThat(login.exitCode()).as(login.toString()).isZero();
    }

    @AfterAll
    static void stop() {
        fleet.close();
    }

    private static Cli.Result ok(Cli.Result r) {
        assertThat(r.exitCode()).as(r.toString()).isZero();
        return r;
    }

    @Test
    void addAThresholdSeeItFireThenAckAndResolveIt() throws Exception {
        JsonNode created = ok(cli.run("checks", "add", "--kind", "metric_threshold", "--metric", "cpu.percent", "--operator", ">",
                "--threshold", "50", "--duration", "0s", "--severity", "critical", "--agent", agentId.toString(), "--output", "json")).json();
        assertThat(created.get("key").asText()).isEqualTo("metric_threshold:cpu.percent");
        ok(cli.run("checks", "add", "--kind", "agent_offline", "--minutes", "10"));
        Cli.Result table = ok(cli.run("checks", "list"));
        assertThat(table.out()).contains("metric_threshold:cpu.percent").contains("agent_offline").contains("fleet");
        JsonNode effective = ok(cli.run("checks", "list", "--agent", agentId.toString(), "--output", "json")).json();
        assertThat(effective).hasSize(2);

        fleet.server().server().bus().publish(MetricsReceived.TOPIC, new MetricsReceived(agentId, Instant.now(), Map.of("cpu.percent", 99.0)));
        GuruClient admin = fleet.admin();
        Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> admin.alerts(Map.of("state", "open")).size() == 1);
        List<AlertView> open = admin.alerts(Map.of("state", "open"));
        UUID alertId = open.get(0).id();

        JsonNode listed = ok(cli.run("alerts", "list", "--state", "open", "--severity", "critical", "--agent", agentId.toString(),
                "--output", "json")).json();
        assertThat(listed).hasSize(1);
        assertThat(listed.get(0).get("id").asText()).isEqualTo(alertId.toString());
        assertThat(ok(cli.run("alerts", "list")).out()).contains("open").contains("critical").contains("cpu.percent");
        assertThat(ok(cli.run("alerts", "ack", alertId.toString())).out()).contains("Acknowledged alert " + alertId);
        assertThat(admin.alert(alertId).state()).isEqualTo("acknowledged");
        Cli.Result again = cli.run("alerts", "ack", alertId.toString());
        assertThat(again.exitCode()).as("acknowledging twice is a conflict").isNotZero();
        assertThat(again.err()).contains("only an open alert can be acknowledged");
        assertThat(ok(cli.run("alerts", "resolve", alertId.toString(), "--output", "json")).json().get("state").asText()).isEqualTo("resolved");

        Cli.Result bad = cli.run("checks", "add", "--kind", "metric_threshold", "--metric", "cpu.percentage", "--operator", ">",
                "--threshold", "50", "--agent", agentId.toString());
        assertThat(bad.exitCode()).isNotZero();
        assertThat(bad.err()).contains("'metric'");
        ok(cli.run("checks", "delete", created.get("id").asText()));
        assertThat(ok(cli.run("checks", "list", "--output", "json")).json()).hasSize(1);
    }
}
