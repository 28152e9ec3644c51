package com.gururmm.agent.platform.windows;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.awaitility.Awaitility.await;

import com.gururmm.agent.platform.CommandRefusedException;
import com.gururmm.agent.platform.Launch;
import com.gururmm.agent.platform.TreeKillable;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The whole Windows user_session path against {@link FakeWin32}: the decisions, not the Win32 calls themselves. */
class UserSessionLauncherTest {
    private static final List<String> ARGV = List.of("C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe",
            "-NoProfile", "-NonInteractive", "-ExecutionPolicy", "Bypass", "-File", "C:\\ProgramData\\GuruRMM\\work\\id 1\\script.ps1");
    private static final Path SCRIPT = Path.of("work", "id 1", "script.ps1");
    private static final Path WORK = Path.of("work", "id 1");

    private final FakeWin32 win32 = new FakeWin32().user(1, "PC\\alice", true);
    private final List<String> grants = new CopyOnWriteArrayList<>();
    private final UserSessionLauncher launcher = new UserSessionLauncher(win32,
            (dir, script, user) -> grants.add(dir + " " + script + " " + user));

    private Process start() throws Exception {
        win32.console = 1;
        Launch launch = launcher.launch(ARGV, SCRIPT);
        assertThat(launch.runAs()).isNull();
        assertThat(launch.starter()).isNotNull();
        return launch.starter().start(WORK, Map.of("GURURMM_COMMAND_ID", "c-1"));
    }

    /** Reads to end-of-file, which only comes once every write end is closed; fails rather than hangs if one leaked. */
    private static String read(java.io.InputStream in) {
        return assertTimeoutPreemptively(Duration.ofSeconds(5), () -> new String(in.readAllBytes(), StandardCharsets.UTF_8),
                "no end-of-file: a write end of the pipe is still open");
    }

    @Test
    void runsAsTheSessionUserWithTheirEnvironmentAndCapturesOutput() throws Exception {
        win32.program = p -> {
            p.out("héllo ✓\n");
            p.err("warning\n");
            return 3;
        };
        Process process = start();

        assertThat(read(process.getInputStream())).isEqualTo("héllo ✓\n");
        assertThat(read(process.getErrorStream())).isEqualTo("warning\n");
        assertThat(process.waitFor(5, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).isEqualTo(3);

        FakeWin32.FakeProcess child = win32.processes.getFirst();
        assertThat(child.application).isEqualTo(ARGV.getFirst());
        assertThat(CommandLineTest.parse(child.commandLine)).isEqualTo(ARGV);
        assertThat(child.directory).isEqualTo(WORK.toString());
        assertThat(child.environment).containsEntry("USERNAME", "alice").containsEntry("GURURMM_COMMAND_ID", "c-1")
                .containsEntry("TEMP", "C:\\Users\\alice\\AppData\\Local\\Temp");
        assertThat(child.elevated).isFalse();
        assertThat(child.inJobWhenResumed()).as("assigned to the job before it ran").isTrue();
        assertThat(grants).containsExactly(WORK + " " + SCRIPT + " PC\\alice");
        assertThat(win32.calls).containsSubsequence("setKillOnClose(true)", "createProcessAsUser", "assignToJob", "resumeThread");

        // Done: the job is released without killing what the command left behind, and every handle is closed.
        await().atMost(Duration.ofSeconds(5)).until(() -> win32.openHandles().isEmpty());
        assertThat(win32.calls).contains("setKillOnClose(false)").doesNotContain("terminateJob");
        assertThat(win32.badCloses).isEmpty();
    }

    @Test
    void anAdministratorRunsElevated() throws Exception {
        win32.admins.add(1);
        Process process = start();
        assertThat(process.waitFor(5, TimeUnit.SECONDS)).isTrue();
        assertThat(win32.processes.getFirst().elevated).isTrue();
    }

    @Test
    void aProgramLeftRunningAfterTheCommandSurvivesTheJobsRelease() throws Exception {
        win32.program = p -> {
            p.leaveBackgroundChild();
            return 0;
        };
        Process process = start();
        assertThat(process.waitFor(5, TimeUnit.SECONDS)).isTrue();
        FakeWin32.FakeProcess child = win32.processes.getFirst();
        assertThat(child.backgroundChildAlive()).isTrue();
        // The background child holds the pipes, so output has not ended: the runner would now kill the tree.
        ((TreeKillable) process).killTree();
        assertThat(read(process.getInputStream())).isEmpty();
        assertThat(child.backgroundChildAlive()).isFalse();
        await().atMost(Duration.ofSeconds(5)).until(() -> win32.openHandles().isEmpty());
    }

    @Test
    void killTreeTerminatesTheJobAndEndsTheProcess() throws Exception {
        win32.program = p -> {
            p.out("started\n");
            p.awaitKill();
            return 0;
        };
        Process process = start();
        assertThat(process.waitFor(200, TimeUnit.MILLISECONDS)).isFalse();
        assertThat(process.isAlive()).isTrue();
        assertThatThrownBy(process::exitValue).isInstanceOf(IllegalThreadStateException.class);

        process.destroyForcibly();

        assertThat(process.waitFor(5, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).isEqualTo(Win32Process.KILLED_EXIT_CODE);
        assertThat(read(process.getInputStream())).isEqualTo("started\n");
        assertThat(win32.processes.getFirst().killed()).isTrue();
        assertThat(win32.calls).contains("terminateJob").doesNotContain("setKillOnClose(false)");
        await().atMost(Duration.ofSeconds(5)).until(() -> win32.openHandles().isEmpty());
        ((TreeKillable) process).killTree(); // after release: a no-op, not a call on a closed handle
        assertThat(win32.badCloses).isEmpty();
        assertThat(win32.calls.stream().filter("terminateJob"::equals)).hasSize(1);
    }

    @Test
    void noLoggedOnUserIsRefusedWithAMessageSayingSo() {
        win32.console = 1;
        win32.users.clear();
        assertThatThrownBy(() -> launcher.launch(ARGV, SCRIPT)).isInstanceOf(CommandRefusedException.class)
                .hasMessageStartingWith("No logged-on user: ");
        assertThat(grants).isEmpty();
        assertThat(win32.openHandles()).isEmpty();
    }

    @Test
    void aScriptTheUserCannotBeGivenIsRefused() {
        UserSessionLauncher denied = new UserSessionLauncher(win32, (dir, script, user) -> {
            throw new IOException("Access is denied");
        });
        assertThatThrownBy(() -> denied.launch(ARGV, SCRIPT)).isInstanceOf(CommandRefusedException.class)
                .hasMessageContaining("could not let PC\\alice read the script: Access is denied");
    }

    @ParameterizedTest
    @ValueSource(strings = {"queryUserToken", "duplicatePrimary", "environmentBlock", "openNul", "createPipe", "createJob",
            "setKillOnClose(true)", "createProcessAsUser", "assignToJob", "resumeThread"})
    void aFailureAtAnyStepLeaksNoHandleAndRunsNothing(String step) throws Exception {
        win32.console = 1;
        Launch launch = launcher.launch(ARGV, SCRIPT);
        win32.failAt = step;
        assertThatThrownBy(() -> launch.starter().start(WORK, Map.of())).isInstanceOf(Win32Exception.class).hasMessageContaining(step);
        assertThat(win32.openHandles()).isEmpty();
        assertThat(win32.badCloses).isEmpty();
        for (FakeWin32.FakeProcess created : win32.processes) {
            assertThat(created.exitCode()).as("the suspended process was terminated").isEqualTo(1);
        }
        if (List.of("assignToJob", "resumeThread").contains(step)) {
            assertThat(win32.calls).contains("terminateProcess");
        }
    }
}
