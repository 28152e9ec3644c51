package com.gururmm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.gururmm.client.GuruClient;
import com.gururmm.testkit.AgentProcess;
import com.gururmm.testkit.Fleet;
import com.gururmm.testkit.TestDatabase;
import com.gururmm.testkit.TestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code gururmm scripts create|list|run|export|import} and {@code schedules create|list|runs} against a real server and agent. */
@Timeout(180)
class CliScriptsTest {
    private static Fleet fleet;
    private static Cli cli;
    private static UUID agent;

    @BeforeAll
    static void start(@TempDir Path dir) throws Exception {
        fleet = Fleet.start(TestDatabase.Kind.H2);
        GuruClient admin = fleet.admin();
        agent = fleet.track(AgentProcess.create(fleet.server().url(), fleet.server().enrollmentToken()).env("GURURMM_HOSTNAME", "cli-scripts01"))
                .start().awaitOnline(admin);
        cli = new Cli(dir.resolve("config"));
        Cli.Result login = cli.runWithStdin(TestServer.ADMIN_PASSWORD + "\n",
                "login", "--server", fleet.server().url().toString(), "--email", TestServer.ADMIN_EMAIL, "--password-stdin");
        assertThat(login.exitCode()).as(login.toString()).isZero();
    }

    @AfterAll
    static void stop() {
        fleet.close();
    }

    private static Cli.Result ok(Cli.Result result) {
        assertThat(result.exitCode()).as(result.toString()).isZero();
        return result;
    }

    @Test
    void createRunExportAndImportAScript(@TempDir Path dir) throws Exception {
        ok(cli.run("scripts", "create", "--name", "CLI greet", "--type", "sh", "--command", "printf '%s/%s' \"$GURURMM_PARAM_WHO\" \"$GURURMM_PARAM_N\"",
                "--param", "who:string:required", "--param", "n:number=3", "--category", "cli"));
        JsonNode list = ok(cli.run("scripts", "list", "--category", "cli", "--output", "json")).json();
        assertThat(list).hasSize(1);
        assertThat(list.get(0).get("name").asText()).isEqualTo("CLI greet");

        Cli.Result run = ok(cli.run("scripts", "run", "CLI greet", "--agent", "cli-scripts01", "--param", "who=a 'quoted' $(value)", "--wait",
                "--output", "json"));
        JsonNode results = run.json().get("results");
        assertThat(results).hasSize(1);
        assertThat(results.get(0).get("stdout").asText()).isEqualTo("a 'quoted' $(value)/3");

        Cli.Result badType = cli.run("scripts", "run", "CLI greet", "--agent", "cli-scripts01", "--param", "who=x", "--param", "n=lots");
        assertThat(badType.exitCode()).isEqualTo(ExitCode.API_ERROR);
        assertThat(badType.err()).contains("parameters.n");

        Path file = dir.resolve("greet.sh");
        ok(cli.run("scripts", "export", "CLI greet", "--out", file.toString()));
        String text = Files.readString(file);
        assertThat(text).startsWith("# ---\n").contains("# name: CLI greet");
        Files.writeString(file, text.replace("printf", "printf  "));
        Cli.Result imported = ok(cli.run("scripts", "import", file.toString()));
        assertThat(imported.out()).contains("CLI greet").contains("version 2");

        Cli.Result schedule = ok(cli.run("schedules", "create", "CLI greet", "--agent", "cli-scripts01", "--cron", "0 5 * * *",
                "--param", "who=cron", "--output", "json"));
        String scheduleId = schedule.json().get("id").asText();
        JsonNode schedules = ok(cli.run("schedules", "list", "--output", "json")).json();
        assertThat(schedules).anySatisfy(s -> assertThat(s.get("id").asText()).isEqualTo(scheduleId));
        assertThat(ok(cli.run("schedules", "runs", scheduleId, "--output", "json")).json()).isEmpty();
        ok(cli.run("schedules", "delete", scheduleId));
        Cli.Result noTarget = cli.run("scripts", "run", "CLI greet", "--param", "who=x");
        assertThat(noTarget.exitCode()).isEqualTo(ExitCode.USAGE);
    }
}
