package com.gururmm.agent.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.gururmm.protocol.ExecutionContext;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The Windows tunnel shell, with a Windows environment handed in (this runs on Linux: the
 * ConPTY itself is only compiled here, see docs/OPERATIONS.md "Remote shell (tunnel)").
 */
class WindowsShellTest {
    private static final Map<String, String> WINDOWS_ENV = Map.of(
            "SystemRoot", "D:\\Windows", "SystemDrive", "D:", "Path", "D:\\Windows\\system32;D:\\Windows",
            "ComSpec", "D:\\Windows\\system32\\cmd.exe", "GURURMM_ENROLLMENT_TOKEN", "secret-token", "PGPASSWORD", "hunter2");

    private final WindowsPlatform platform = new WindowsPlatform(() -> {
        throw new AssertionError("a system shell must not load the user-session launcher");
    }, () -> WINDOWS_ENV);

    @Test
    void aSystemShellIsWindowsPowerShellOnAPseudoConsole() throws Exception {
        ShellLaunch shell = platform.shell(ExecutionContext.SYSTEM);
        assertThat(shell.conPty()).isTrue();
        assertThat(shell.argv()).containsExactly("D:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe", "-NoLogo");
        assertThat(shell.workDir().toString()).isEqualTo("D:\\");
        assertThat(shell.environment()).containsEntry("TERM", "xterm-256color").containsEntry("SystemRoot", "D:\\Windows")
                .containsKey("Path");
    }

    @Test
    void theShellDoesNotInheritTheAgentsSecrets() throws Exception {
        assertThat(platform.shell(ExecutionContext.SYSTEM).environment())
                .doesNotContainKey("GURURMM_ENROLLMENT_TOKEN").doesNotContainKey("PGPASSWORD");
    }

    @Test
    void aUserSessionShellIsRefusedInASentenceNotOpenedAsSystem() {
        assertThatThrownBy(() -> platform.shell(ExecutionContext.USER_SESSION))
                .isInstanceOf(CommandRefusedException.class)
                .hasMessageContaining("user_session shells are not supported on Windows");
    }
}
