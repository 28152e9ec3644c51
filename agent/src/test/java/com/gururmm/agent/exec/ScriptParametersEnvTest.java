package com.gururmm.agent.exec;

import static org.assertj.core.api.Assertions.assertThat;

import com.gururmm.agent.platform.Platform;
import com.gururmm.protocol.wire.AgentMessage.CommandResult;
import com.gururmm.protocol.wire.ServerMessage.RunCommand;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** run_command.env reaches the process as variables, verbatim; only GURURMM_PARAM_* names are accepted. */
@Timeout(60)
class ScriptParametersEnvTest {
    @TempDir
    Path state;

    private CommandResult run(String script, Map<String, String> env) {
        UUID id = UUID.randomUUID();
        return new ProcessRunner(Platform.current(Path.of("/etc/machine-id")), state.resolve("work"))
                .run(new RunCommand(id, "bash", script, "system", 30, env), new RunningCommand(id), (pid, start) -> { });
    }

    @Test
    void valuesArriveVerbatimAndAreNotExecuted() {
        Path marker = state.resolve("pwned");
        String value = "a 'b' \"c\"\nline two $(touch " + marker + ") `touch " + marker + "` ; exit 9 \\";
        CommandResult r = run("printf '%s' \"$GURURMM_PARAM_VALUE\"", Map.of("GURURMM_PARAM_VALUE", value));
        assertThat(r.status()).isEqualTo("completed");
        assertThat(r.exitCode()).isZero();
        assertThat(r.stdout()).isEqualTo(value);
        assertThat(Files.exists(marker)).isFalse();
    }

    @Test
    void otherVariablesAreRefusedBeforeAnythingRuns() {
        Path marker = state.resolve("ran");
        CommandResult r = run("touch " + marker, Map.of("LD_PRELOAD", "/tmp/evil.so"));
        assertThat(r.status()).isEqualTo("failed");
        assertThat(r.error()).contains("LD_PRELOAD").contains("GURURMM_PARAM_");
        assertThat(Files.exists(marker)).isFalse();
    }
}
