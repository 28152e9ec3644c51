package com.gururmm.agent.doctor;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Doctor reads the service's EnvironmentFile the way systemd does, and the caller's environment wins. */
@Timeout(10)
class DoctorEnvironmentTest {
    @TempDir
    Path dir;

    @Test
    void theServiceEnvironmentFileFillsInWhatTheShellDoesNotSet() throws Exception {
        Path envFile = dir.resolve("agent.env");
        Files.writeString(envFile, """
                # written by install.sh
                GURURMM_SERVER_URL="https://rmm.example:3001"
                GURURMM_CHANNEL=beta
                GURURMM_SERVER_FINGERPRINT='ab:cd'
                PATH=/should/not/matter
                not a setting
                """);
        Map<String, String> merged = Doctor.withServiceEnvironment(Map.of("GURURMM_CHANNEL", "stable", "HOME", "/root"), envFile);
        assertThat(merged).containsEntry("GURURMM_SERVER_URL", "https://rmm.example:3001")
                .containsEntry("GURURMM_CHANNEL", "stable")
                .containsEntry("GURURMM_SERVER_FINGERPRINT", "ab:cd")
                .containsEntry("HOME", "/root")
                .doesNotContainKey("PATH");
    }

    @Test
    void aMissingEnvironmentFileLeavesTheEnvironmentAsItIs() {
        assertThat(Doctor.withServiceEnvironment(Map.of("GURURMM_SERVER_URL", "http://127.0.0.1:3001"), dir.resolve("absent")))
                .containsExactlyEntriesOf(Map.of("GURURMM_SERVER_URL", "http://127.0.0.1:3001"));
    }
}
