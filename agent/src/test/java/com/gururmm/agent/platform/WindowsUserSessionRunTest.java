package com.gururmm.agent.platform;

import static org.assertj.core.api.Assertions.assertThat;

import com.gururmm.agent.exec.ProcessRunner;
import com.gururmm.agent.exec.RunningCommand;
import com.gururmm.agent.platform.windows.FakeWin32;
import com.gururmm.agent.platform.windows.UserSessionLauncher;
import com.gururmm.protocol.wire.AgentMessage.CommandResult;
import com.gururmm.protocol.wire.ServerMessage.RunCommand;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A Windows {@code user_session} command through the real {@link ProcessRunner} (output caps,
 * timeout, cancel, result), with the Win32 layer faked: this machine is Linux, so no real
 * WTS token or CreateProcessAsUser is involved.
 */
class WindowsUserSessionRunTest {
    @TempDir
    Path work;

    private final FakeWin32 win32 = new FakeWin32().user(1, "PC\\alice", true);
    private final List<String> grants = new ArrayList<>();

    private CommandResult run(String type, String script, int timeout, RunningCommand control) {
        win32.console = 1;
        WindowsPlatform platform = new WindowsPlatform(() -> new UserSessionLauncher(win32,
                (dir, file, user) -> grants.add(file.getFileName() + " " + user)));
        return new ProcessRunner(platform, work).run(new RunCommand(control.commandId(), type, script, "user_session", timeout),
                control, (pid, start) -> { });
    }

    @Test
    void theScriptReachesTheUsersProcessByteExactAndItsOutputComesBack() {
        String script = "Write-Output \"héllo 'wörld'\"\r\n$x = @'\r\nline two ✓\r\n'@\r\n";
        win32.program = p -> {
            // Play the interpreter: read the file named by the last argument of the command line.
            String path = p.commandLine.substring(p.commandLine.lastIndexOf(' ') + 1);
            try {
                p.out(HexFormat.of().formatHex(Files.readAllBytes(Path.of(path))));
            } catch (java.io.IOException e) {
                p.err(e.toString());
                return 2;
            }
            p.err("and stderr\n");
            return 7;
        };
        CommandResult result = run("powershell", script, 30, new RunningCommand(UUID.randomUUID()));

        assertThat(result.status()).isEqualTo("completed");
        assertThat(result.exitCode()).isEqualTo(7);
        byte[] expected = ("\uFEFF" + script).getBytes(StandardCharsets.UTF_8); // UTF-8 with BOM for Windows PowerShell
        assertThat(result.stdout()).isEqualTo(HexFormat.of().formatHex(expected));
        assertThat(result.stderr()).isEqualTo("and stderr\n");
        assertThat(grants).containsExactly("script.ps1 PC\\alice");
        FakeWin32.FakeProcess child = win32.processes.getFirst();
        assertThat(child.application).endsWith("\\System32\\WindowsPowerShell\\v1.0\\powershell.exe");
        assertThat(child.commandLine).contains(" -NoProfile -NonInteractive -ExecutionPolicy Bypass -File ");
        assertThat(child.environment).containsEntry("GURURMM_COMMAND_ID", result.commandId().toString());
    }

    @Test
    void outputBeyondTheCapIsDiscardedAndFlagged() {
        win32.program = p -> {
            String chunk = "x".repeat(64 * 1024);
            for (int i = 0; i < 20; i++) {
                p.out(chunk);
            }
            return 0;
        };
        CommandResult result = run("cmd", "echo lots", 30, new RunningCommand(UUID.randomUUID()));
        assertThat(result.stdoutTruncated()).isTrue();
        assertThat(result.stdout()).startsWith("x".repeat(ProcessRunner.OUTPUT_LIMIT_BYTES))
                .contains("more bytes were discarded");
    }

    @Test
    void noLoggedOnUserFailsTheCommandWithAMessageSayingSo() {
        win32.users.clear();
        CommandResult result = run("powershell", "whoami", 30, new RunningCommand(UUID.randomUUID()));
        assertThat(result.status()).isEqualTo("failed");
        assertThat(result.error()).startsWith("No logged-on user: ");
        assertThat(win32.processes).isEmpty();
    }

    @Test
    void aTimeoutKillsTheWholeJobAndKeepsTheOutputSoFar() {
        win32.program = p -> {
            p.out("before the hang\n");
            p.awaitKill();
            return 0;
        };
        CommandResult result = run("powershell", "Start-Sleep 600", 1, new RunningCommand(UUID.randomUUID()));
        assertThat(result.status()).isEqualTo("timeout");
        assertThat(result.stdout()).isEqualTo("before the hang\n");
        assertThat(win32.calls).contains("terminateJob");
        assertThat(win32.processes.getFirst().killed()).isTrue();
    }

    @Test
    void cancelKillsTheWholeJob() throws Exception {
        CountDownLatch running = new CountDownLatch(1);
        win32.program = p -> {
            running.countDown();
            p.awaitKill();
            return 0;
        };
        RunningCommand control = new RunningCommand(UUID.randomUUID());
        Thread.ofVirtual().start(() -> {
            try {
                if (running.await(10, TimeUnit.SECONDS)) {
                    control.cancel();
                }
            } catch (InterruptedException ignored) {
                // test ends
            }
        });
        CommandResult result = run("powershell", "Start-Sleep 600", 60, control);
        assertThat(result.status()).isEqualTo("cancelled");
        assertThat(win32.calls).contains("terminateJob");
        assertThat(win32.processes.getFirst().killed()).isTrue();
    }
}
