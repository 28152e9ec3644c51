package com.gururmm.agent.platform.windows;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EnvironmentBlockTest {
    @Test
    void parsesABlockIncludingDriveEntriesAndValuesWithEquals() {
        Map<String, String> env = EnvironmentBlock.parse("=C:=C:\\Users\\alice\0Path=C:\\Windows\0OPTS=a=b\0\0");
        assertThat(env).containsEntry("=C:", "C:\\Users\\alice").containsEntry("PATH", "C:\\Windows").containsEntry("OPTS", "a=b").hasSize(3);
    }

    @Test
    void agentVariablesOverrideCaseInsensitivelyAndKeepTheUsersOthers() {
        Map<String, String> env = EnvironmentBlock.merge("Path=C:\\Windows\0USERPROFILE=C:\\Users\\alice\0",
                Map.of("PATH", "C:\\tools", "GURURMM_COMMAND_ID", "42"));
        assertThat(env).hasSize(3).containsEntry("Path", "C:\\tools").containsEntry("USERPROFILE", "C:\\Users\\alice")
                .containsEntry("GURURMM_COMMAND_ID", "42");
    }

    @Test
    void encodesSortedCaseInsensitivelyWithADoubleNulAtTheEnd() {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("b", "2");
        env.put("A", "ü 1");
        env.put("c", "");
        assertThat(EnvironmentBlock.encode(env)).isEqualTo("A=ü 1\0b=2\0c=\0\0");
        assertThat(EnvironmentBlock.encode(Map.of())).isEqualTo("\0\0");
        assertThat(EnvironmentBlock.parse(EnvironmentBlock.encode(env))).isEqualTo(env);
    }

    @Test
    void refusesVariablesWindowsCannotHold() {
        assertThatThrownBy(() -> EnvironmentBlock.encode(Map.of("A=B", "x"))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> EnvironmentBlock.encode(Map.of("A", "x\0y"))).isInstanceOf(IllegalArgumentException.class);
    }
}
