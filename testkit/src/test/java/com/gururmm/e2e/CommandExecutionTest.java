package com.gururmm.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.gururmm.client.GuruApiException;
import com.gururmm.client.GuruClient;
import com.gururmm.protocol.api.Commands.CommandRequest;
import com.gururmm.protocol.api.Commands.CommandView;
import com.gururmm.testkit.SharedFleet;
import com.gururmm.testkit.TestDatabase;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/** Real commands on a real agent process, exact results, against H2 and PostgreSQL. */
@ParameterizedClass
@EnumSource(TestDatabase.Kind.class)
class CommandExecutionTest {
    private static final SharedFleet FLEET = new SharedFleet();

    @Parameter
    TestDatabase.Kind kind;
    private UUID agentId;
    private GuruClient client;

    @BeforeEach
    void useFleet() {
        client = FLEET.get(kind).admin();
        agentId = FLEET.agentId();
    }

    @AfterAll
    static void stopFleet() {
        FLEET.close();
    }

    private CommandView run(String type, String script) {
        return run(new CommandRequest(type, script, null, 30));
    }

    private CommandView run(CommandRequest request) {
        UUID id = client.runCommand(agentId, request).commandId();
        return client.awaitCommand(id, Duration.ofSeconds(60));
    }

    @Test
    void bashScriptReturnsExactOutputAndExitCode() {
        CommandView view = run("bash", "echo out-line\necho err-line >&2\nexit 7");
        assertThat(view.status()).isEqualTo("completed");
        assertThat(view.exitCode()).isEqualTo(7);
        assertThat(view.stdout()).isEqualTo("out-line\n");
        assertThat(view.stderr()).isEqualTo("err-line\n");
        assertThat(view.context()).isEqualTo("system");
        assertThat(view.agentSandbox()).as("an unsandboxed agent adds no sandbox note").isNull();
        assertThat(view.startedAt()).isNotNull();
        assertThat(view.completedAt()).isAfterOrEqualTo(view.startedAt());
    }

    @Test
    void scriptReachesInterpreterByteExact() {
        String script = "cat <<'EOF'\nsingle 'quotes' \"double\" $HOME `backticks` \\back\\slash\ttab\nünïcödé ✓ 日本語\nEOF\nprintf '%s' \"$((6*7))\"";
        CommandView view = run("bash", script);
        assertThat(view.stdout()).isEqualTo("single 'quotes' \"double\" $HOME `backticks` \\back\\slash\ttab\nünïcödé ✓ 日本語\n42");
        assertThat(view.commandText()).isEqualTo(script);
    }

    @Test
    void commandsDoNotSeeTheAgentsOwnSettingsOrSecrets() {
        CommandView view = run("sh", "env");
        assertThat(view.stdout()).contains("GURURMM_COMMAND_ID=" + view.id())
                .doesNotContain("GURURMM_ENROLLMENT_TOKEN").doesNotContain("GURURMM_SERVER_URL").doesNotContain("GURURMM_STATE_DIR");
    }

    @Test
    void shAndPythonRun() {
        assertThat(run("sh", "echo from-sh; exit 0").stdout()).isEqualTo("from-sh\n");
        CommandView py = run("python", "import sys\nprint('π =', 3.14)\nsys.stderr.write('warn\\n')\nsys.exit(4)");
        assertThat(py.stdout()).isEqualTo("π = 3.14\n");
        assertThat(py.stderr()).isEqualTo("warn\n");
        assertThat(py.exitCode()).isEqualTo(4);
        assertThat(py.status()).isEqualTo("completed");
    }

    @Test
    void commandTypeTheOsCannotRunFailsWithReason() {
        CommandView cmd = run("cmd", "echo hi");
        assertThat(cmd.status()).isEqualTo("failed");
        assertThat(cmd.error()).contains("cmd runs only on Windows");
        assertThat(cmd.exitCode()).isNull();
    }

    @Test
    void powershellWithoutPwshFailsClearly() {
        CommandView view = run("powershell", "Write-Output 'hi'");
        if (view.status().equals("completed")) {
            assertThat(view.stdout()).isEqualTo("hi\n"); // pwsh is installed on this machine
        } else {
            assertThat(view.status()).isEqualTo("failed");
            assertThat(view.error()).contains("pwsh is not installed");
        }
    }

    @Test
    void userSessionWithoutLoggedOnUserFails() {
        CommandView view = run(new CommandRequest("bash", "id -un", "user_session", 30));
        // The CI machine has no interactive session; where one exists the command runs as that user.
        if (view.status().equals("failed")) {
            assertThat(view.error()).containsAnyOf("No logged-on user", "needs the agent to run as root");
        } else {
            assertThat(view.status()).isEqualTo("completed");
            assertThat(view.stdout()).isNotEqualTo("root\n");
        }
    }

    @Test
    void timeoutKillsTheWholeProcessTreeAndKeepsPartialOutput() throws Exception {
        // The background child is a sleep with an argument no other process has, so its absence can be checked at once.
        String childSleep = "4." + System.nanoTime();
        String script = "echo before\n(sleep " + childSleep + "; echo survived) &\nsleep 30\necho after";
        Instant start = Instant.now();
        CommandView view = run(new CommandRequest("bash", script, null, 2));
        assertThat(view.status()).isEqualTo("timeout");
        assertThat(view.stdout()).isEqualTo("before\n");
        assertThat(view.exitCode()).isNull();
        assertThat(view.error()).contains("timed out after 2 s");
        assertThat(Duration.between(start, Instant.now())).isLessThan(Duration.ofSeconds(15));
        // The tree is killed before the result is reported, so the child must already be gone.
        assertThat(ProcessHandle.allProcesses().map(p -> p.info().commandLine().orElse(""))
                .filter(line -> line.contains("sleep " + childSleep))).as("background child was killed too").isEmpty();
    }

    @Test
    void outputIsCappedWithATruncationMarker() {
        CommandView view = run("bash", "head -c 3000000 /dev/zero | tr '\\0' 'x'; echo; echo small >&2");
        assertThat(view.status()).isEqualTo("completed");
        assertThat(view.stdoutTruncated()).isTrue();
        assertThat(view.stderrTruncated()).isFalse();
        assertThat(view.stdout()).startsWith("xxxx").contains("[gururmm: output truncated at 1048576 bytes; 1951425 more bytes were discarded]");
        assertThat(view.stdout().length()).isLessThan(1_048_576 + 200);
        assertThat(view.stderr()).isEqualTo("small\n");
    }

    @Test
    void cancelStopsARunningCommand() {
        UUID id = client.runCommand(agentId, new CommandRequest("bash", "echo started; sleep 60", null, 120)).commandId();
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> client.command(id).startedAt() != null);
        CommandView cancelled = client.cancelCommand(id);
        assertThat(cancelled.status()).isEqualTo("cancelled");
        CommandView later = org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(20))
                .until(() -> client.command(id), v -> v.stdout() != null);
        assertThat(later.status()).isEqualTo("cancelled");
        assertThat(later.stdout()).isEqualTo("started\n");
        assertThatThrownBy(() -> client.cancelCommand(id)).isInstanceOf(GuruApiException.class)
                .satisfies(e -> assertThat(((GuruApiException) e).status()).isEqualTo(409));
    }

    @Test
    void historyListsTheAgentsCommandsNewestFirst() {
        UUID first = client.runCommand(agentId, new CommandRequest("sh", "echo one", null, 30)).commandId();
        client.awaitCommand(first, Duration.ofSeconds(30));
        UUID second = client.runCommand(agentId, new CommandRequest("sh", "echo two", null, 30)).commandId();
        client.awaitCommand(second, Duration.ofSeconds(30));
        var history = client.agentCommands(agentId);
        assertThat(history).extracting(CommandView::id).containsSubsequence(second, first);
    }
}
