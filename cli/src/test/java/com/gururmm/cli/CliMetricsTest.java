package com.gururmm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.gururmm.protocol.Json;
import com.gururmm.testkit.AgentProcess;
import com.gururmm.testkit.Fleet;
import com.gururmm.testkit.TestDatabase;
import com.gururmm.testkit.TestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code gururmm agents metrics}: a real agent sampling every second, read back as a table and as JSON. */
class CliMetricsTest {
    @Test
    void showsAnAgentsMetricsAsATableAndAsJson(@TempDir Path dir) throws Exception {
        try (Fleet fleet = Fleet.start(TestDatabase.Kind.H2)) {
            fleet.track(AgentProcess.create(fleet.server().url(), fleet.server().enrollmentToken())
                    .env("GURURMM_HOSTNAME", "metrics01").env("GURURMM_METRICS_INTERVAL_SECONDS", "1")).start().awaitOnline(fleet.admin());
            Cli cli = new Cli(dir.resolve("config"));
            Cli.Result login = cli.runWithStdin(TestServer.ADMIN_PASSWORD + "\n",
                    "login", "--server", fleet.server().url().toString(), "--email", TestServer.ADMIN_EMAIL, "--password-stdin");
            assertThat(login.exitCode()).as(login.toString()).isZero();

            Awaitility.await("samples stored").atMost(Duration.ofSeconds(40)).untilAsserted(() -> {
                Cli.Result r = cli.run("agents", "metrics", "metrics01", "--from=-2m", "--step", "1", "--output", "json");
                assertThat(r.exitCode()).as(r.toString()).isZero();
                JsonNode cpu = Json.mapper().readTree(r.out()).path("series").path("cpu.percent");
                int n = 0;
                for (JsonNode v : cpu) {
                    n += v.isNull() ? 0 : 1;
                }
                assertThat(n).as(r.toString()).isGreaterThanOrEqualTo(2);
            });
            Cli.Result json = cli.run("agents", "metrics", "metrics01", "--from", "-2m", "--step", "1", "--output", "json");
            JsonNode body = Json.mapper().readTree(json.out());
            long memTotal = Files.readAllLines(Path.of("/proc/meminfo")).stream().filter(l -> l.startsWith("MemTotal:"))
                    .map(l -> Long.parseLong(l.replaceAll("\\D", ""))).findFirst().orElseThrow() * 1024;
            boolean sawMemory = false;
            for (JsonNode v : body.path("series").path("memory.total_bytes")) {
                if (!v.isNull()) {
                    assertThat(v.asLong()).isEqualTo(memTotal);
                    sawMemory = true;
                }
            }
            assertThat(sawMemory).isTrue();
            assertThat(body.path("step_seconds").asLong()).isEqualTo(1);

            Cli.Result table = cli.run("agents", "metrics", "metrics01", "--from=-2m", "--step", "60", "--metric", "cpu.percent",
                    "--metric", "memory.total_bytes");
            assertThat(table.exitCode()).as(table.toString()).isZero();
            assertThat(table.out()).contains("time").contains("cpu.percent").contains("memory.total_bytes").contains(Long.toString(memTotal));
            assertThat(table.out()).contains(Instant.now().toString().substring(0, 10));

            Cli.Result bad = cli.run("agents", "metrics", "metrics01", "--from", "last tuesday");
            assertThat(bad.exitCode()).isNotZero();
            assertThat(bad.err()).contains("--from");
            Cli.Result tooMany = cli.run("agents", "metrics", "metrics01", "--from=-30d", "--step", "60");
            assertThat(tooMany.exitCode()).isNotZero();
            assertThat(tooMany.err()).contains("step of at least");
        }
    }
}
