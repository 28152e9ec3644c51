package com.gururmm.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.gururmm.client.GuruApiException;
import com.gururmm.client.GuruClient;
import com.gururmm.protocol.api.Batches.AgentFilter;
import com.gururmm.protocol.api.Batches.BatchResult;
import com.gururmm.protocol.api.Batches.BatchView;
import com.gururmm.protocol.api.Scripts.Parameter;
import com.gururmm.protocol.api.Scripts.RunRequest;
import com.gururmm.protocol.api.Scripts.RunSubmitted;
import com.gururmm.protocol.api.Scripts.ScriptRequest;
import com.gururmm.protocol.api.Scripts.ScriptView;
import com.gururmm.testkit.Fleet;
import com.gururmm.testkit.TestDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The script library on two real agent processes in one site, against H2 and PostgreSQL: typed
 * parameters arriving verbatim as environment variables (never executed), versions, runs by
 * site, bad input refused before anything runs, and the plain-file import/export round trip.
 */
@ParameterizedClass
@EnumSource(TestDatabase.Kind.class)
@Timeout(300)
class ScriptLibraryTest {
    private static final Map<TestDatabase.Kind, Fleet> FLEETS = new java.util.EnumMap<>(TestDatabase.Kind.class);
    private static final Map<TestDatabase.Kind, UUID> SITES = new java.util.EnumMap<>(TestDatabase.Kind.class);

    @org.junit.jupiter.params.Parameter
    TestDatabase.Kind kind;

    private UUID site;

    @AfterAll
    static void stopFleets() {
        FLEETS.values().forEach(Fleet::close);
        FLEETS.clear();
    }

    private GuruClient admin() {
        Fleet fleet = FLEETS.computeIfAbsent(kind, k -> {
            Fleet f = Fleet.start(k);
            UUID a = f.onlineAgentId();
            UUID b = f.onlineAgentId();
            GuruClient admin = f.admin();
            UUID client = admin.createClient("Scripts Client").id();
            UUID s = admin.createSite(client, "Scripts Site").id();
            admin.moveAgent(a, s);
            admin.moveAgent(b, s);
            SITES.put(k, s);
            return f;
        });
        site = SITES.get(kind);
        return fleet.admin();
    }

    private static String unique(String name) {
        return name + " " + UUID.randomUUID().toString().substring(0, 8);
    }

    private static ScriptRequest echoScript(String name) {
        return new ScriptRequest(name, "prints its parameters", "tests", "bash",
                "printf '[%s]' \"$GURURMM_PARAM_MESSAGE\"\nprintf '<%s>' \"$GURURMM_PARAM_COUNT\"\n",
                List.of(new Parameter("message", "string", true, null), new Parameter("count", "number", false, 3)), 30, null, List.of("linux"));
    }

    @Test
    void parametersArriveVerbatimAndAreNeverExecuted() throws Exception {
        GuruClient admin = admin();
        Path marker = Files.createTempDirectory("script-param").resolve("pwned");
        ScriptView script = admin.createScript(echoScript(unique("Echo")));
        assertThat(script.version()).isEqualTo(1);
        String hostile = "it's \"quoted\"\nsecond line $(touch " + marker + ") `touch " + marker + "` ${HOME} \\ ; exit 7";
        RunSubmitted run = admin.runScript(script.id(), new RunRequest(null, new AgentFilter(null, null, null, null, null, site),
                Map.of("message", hostile, "count", 12.50)));
        assertThat(run.agentCount()).isEqualTo(2);
        assertThat(run.scriptVersion()).isEqualTo(1);
        BatchView batch = admin.awaitBatch(run.batchId(), Duration.ofSeconds(60));
        assertThat(batch.counts()).isEqualTo(Map.of("completed", 2));
        for (BatchResult r : batch.results()) {
            assertThat(r.exitCode()).isZero();
            assertThat(r.stdout()).isEqualTo("[" + hostile + "]<12.5>");
        }
        assertThat(marker).as("a parameter value was executed").doesNotExist();
        // The body the agents ran is the library's text: parameters were not pasted into it.
        assertThat(batch.commandText()).isEqualTo(script.command());
        assertThat(admin.scriptRuns(script.id())).singleElement().satisfies(r -> {
            assertThat(r.batchId()).isEqualTo(run.batchId());
            assertThat(r.scriptVersion()).isEqualTo(1);
            assertThat(r.parameters()).isEqualTo(Map.of("message", hostile, "count", "12.5"));
        });
        assertThat(admin.audit()).anySatisfy(e -> {
            assertThat(e.action()).isEqualTo("script.run");
            assertThat(e.target()).isEqualTo(script.id().toString());
        });
    }

    @Test
    void everyEditIsAVersionAndARunRecordsWhichOneRan() {
        GuruClient admin = admin();
        ScriptView v1 = admin.createScript(echoScript(unique("Versioned")));
        ScriptView v2 = admin.updateScript(v1.id(), new ScriptRequest(null, null, null, null, "echo second\n", List.of(), null, null, null));
        assertThat(v2.version()).isEqualTo(2);
        assertThat(v2.parameters()).isEmpty();
        ScriptView same = admin.updateScript(v1.id(), new ScriptRequest(null, null, null, null, "echo second\n", null, null, null, null));
        assertThat(same.version()).as("no change, no new version").isEqualTo(2);
        assertThat(admin.script(v1.id(), 1).command()).isEqualTo(v1.command());
        assertThat(admin.scriptVersions(v1.id())).extracting(v -> v.version()).containsExactly(2, 1);
        RunSubmitted run = admin.runScript(v1.id(), new RunRequest(null, new AgentFilter(null, null, null, null, null, site), Map.of()));
        assertThat(run.scriptVersion()).isEqualTo(2);
        BatchView batch = admin.awaitBatch(run.batchId(), Duration.ofSeconds(60));
        assertThat(batch.results()).extracting(BatchResult::stdout).containsOnly("second\n");
        assertThat(admin.scriptRuns(v1.id())).singleElement().satisfies(r -> assertThat(r.scriptVersion()).isEqualTo(2));
        assertThat(admin.audit()).anySatisfy(e -> {
            assertThat(e.action()).isEqualTo("script.update");
            assertThat(e.detail()).contains("v2");
        });
        admin.deleteScript(v1.id());
        expect(404, "No script", () -> admin.script(v1.id()));
    }

    @Test
    void badInputIsRefusedBeforeAnythingRuns() {
        GuruClient admin = admin();
        ScriptView script = admin.createScript(echoScript(unique("Strict")));
        AgentFilter bySite = new AgentFilter(null, null, null, null, null, site);
        long runsBefore = admin.audit().stream().filter(e -> e.action().equals("script.run")).count();
        expect(400, "'parameters.count' must be a number", () -> admin.runScript(script.id(),
                new RunRequest(null, bySite, Map.of("message", "x", "count", "many"))));
        expect(400, "'parameters.message' is required", () -> admin.runScript(script.id(), new RunRequest(null, bySite, Map.of())));
        expect(400, "'parameters.nope'", () -> admin.runScript(script.id(), new RunRequest(null, bySite, Map.of("message", "x", "nope", 1))));
        expect(400, "'parameters.message' must be a string", () -> admin.runScript(script.id(),
                new RunRequest(null, bySite, Map.of("message", List.of("a")))));
        expect(400, "matches no agent", () -> admin.runScript(script.id(),
                new RunRequest(null, new AgentFilter(null, "windows", null, null, null, site), Map.of("message", "x"))));
        expect(400, "exactly one of", () -> admin.runScript(script.id(), new RunRequest(null, null, Map.of("message", "x"))));
        ScriptView windowsOnly = admin.createScript(new ScriptRequest(unique("Windows only"), null, null, "powershell", "Write-Output hi",
                List.of(), null, null, List.of("windows")));
        expect(400, "'supported_os'", () -> admin.runScript(windowsOnly.id(), new RunRequest(null, bySite, Map.of())));
        expect(404, "No script", () -> admin.runScript(UUID.randomUUID(), new RunRequest(null, bySite, Map.of())));
        assertThat(admin.audit().stream().filter(e -> e.action().equals("script.run")).count()).isEqualTo(runsBefore);
        assertThat(admin.scriptRuns(script.id())).isEmpty();

        ScriptView choice = admin.createScript(new ScriptRequest(unique("Choice"), null, null, "sh", "echo \"$GURURMM_PARAM_MODE\"",
                List.of(new Parameter("mode", "choice", true, null, List.of("fast", "safe"), null)), null, null, null));
        expect(400, "'parameters.mode' must be one of [fast, safe]", () -> admin.runScript(choice.id(),
                new RunRequest(null, bySite, Map.of("mode", "reckless"))));

        // Definitions: each bad one names its field; nothing is saved.
        expect(400, "'command_type'", () -> admin.createScript(new ScriptRequest(unique("x"), "zsh", "echo", List.of())));
        expect(400, "'command'", () -> admin.createScript(new ScriptRequest(unique("x"), "sh", " ", List.of())));
        expect(400, "'name'", () -> admin.createScript(new ScriptRequest(null, "sh", "echo", List.of())));
        expect(400, "'parameters[0].name'", () -> admin.createScript(new ScriptRequest(unique("x"), "sh", "echo",
                List.of(new Parameter("1bad", "string", false, null)))));
        expect(400, "'parameters.a.type'", () -> admin.createScript(new ScriptRequest(unique("x"), "sh", "echo",
                List.of(new Parameter("a", "date", false, null)))));
        expect(400, "'parameters.a.options'", () -> admin.createScript(new ScriptRequest(unique("x"), "sh", "echo",
                List.of(new Parameter("a", "choice", false, null)))));
        expect(400, "'parameters.a.default' must be a number", () -> admin.createScript(new ScriptRequest(unique("x"), "sh", "echo",
                List.of(new Parameter("a", "number", false, "ten")))));
        expect(400, "defined twice", () -> admin.createScript(new ScriptRequest(unique("x"), "sh", "echo",
                List.of(new Parameter("a", "string", false, null), new Parameter("A", "string", false, null)))));
        expect(400, "'supported_os'", () -> admin.createScript(new ScriptRequest(unique("x"), null, null, "sh", "echo", List.of(), null, null,
                List.of("beos"))));
        expect(409, "exists", () -> admin.createScript(echoScript(script.name())));
        assertThat(admin.raw("POST", "/api/scripts", "{not json", Map.of()).status()).isEqualTo(400);
        assertThat(admin.raw("POST", "/api/scripts", "{\"name\":\"n\\u0000\",\"command_type\":\"sh\",\"command\":\"echo\"}", Map.of()).status())
                .isEqualTo(400);
        assertThat(admin.raw("GET", "/api/scripts/" + script.id() + "?version=zero", null, Map.of()).status()).isEqualTo(400);
        assertThat(admin.scripts(Map.of("q", "x "))).isEmpty();
    }

    @Test
    void exportedFilesImportBackToTheSameScript() {
        GuruClient admin = admin();
        String name = unique("Exported");
        String body = "#!/bin/bash\n# a comment\nprintf '%s\\n' \"$GURURMM_PARAM_MESSAGE\"\r\nexit 0";
        ScriptView original = admin.createScript(new ScriptRequest(name, "Round trip: 'quotes' and: colons", "git", "bash", body,
                List.of(new Parameter("message", "string", true, "hello: world", null, "what to print"),
                        new Parameter("level", "choice", false, "low", List.of("low", "high"), null),
                        new Parameter("dry_run", "boolean", false, true), new Parameter("count", "number", false, 2)),
                45, "system", List.of("linux", "macos")));
        String file = admin.exportScript(original.id());
        assertThat(file).startsWith("#!/bin/bash\n# ---\n").contains("# name: " + name).contains("# command_type: bash")
                .endsWith("# ---\n# a comment\nprintf '%s\\n' \"$GURURMM_PARAM_MESSAGE\"\r\nexit 0");

        // The same file under another name is a new script equal to the first.
        String renamed = unique("Imported");
        ScriptView copy = admin.importScript(file.replace("# name: " + name, "# name: " + renamed));
        assertThat(copy.id()).isNotEqualTo(original.id());
        assertThat(copy.version()).isEqualTo(1);
        assertThat(copy.command()).isEqualTo(body);
        assertThat(copy.parameters()).isEqualTo(original.parameters());
        assertThat(copy.description()).isEqualTo(original.description());
        assertThat(copy.supportedOs()).containsExactly("linux", "macos");
        assertThat(copy.timeoutSeconds()).isEqualTo(45);

        // The file edited and imported again under the original name is that script's next version.
        ScriptView next = admin.importScript(file.replace("exit 0", "exit 1"));
        assertThat(next.id()).isEqualTo(original.id());
        assertThat(next.version()).isEqualTo(2);
        assertThat(next.command()).endsWith("exit 1");
        assertThat(admin.importScript(file.replace("exit 0", "exit 1")).version()).as("unchanged: no new version").isEqualTo(2);

        expect(400, "front matter", () -> admin.importScript("echo no header\n"));
        expect(400, "not closed", () -> admin.importScript("# ---\n# name: x\necho\n"));
        expect(400, "'command_type'", () -> admin.importScript("# ---\n# name: " + unique("typeless") + "\n# ---\necho\n"));
    }

    @Test
    void viewersReadTheLibraryButCannotWriteOrRun() {
        GuruClient admin = admin();
        ScriptView script = admin.createScript(echoScript(unique("Readable")));
        assertThat(FLEETS.get(kind).server().anonymousClient().raw("GET", "/api/scripts", null, Map.of()).status()).isEqualTo(401);
        assertThat(admin.scripts(Map.of("category", "tests"))).extracting(ScriptView::id).contains(script.id());
    }

    private static void expect(int status, String messagePart, org.assertj.core.api.ThrowableAssert.ThrowingCallable call) {
        assertThatThrownBy(call).isInstanceOf(GuruApiException.class).satisfies(e -> {
            GuruApiException api = (GuruApiException) e;
            assertThat(api.status()).as(api.getMessage()).isEqualTo(status);
            assertThat(api.getMessage()).contains(messagePart);
        });
    }
}
