package com.gururmm.agent.exec;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ScriptEnvironmentTest {
    @Test
    void onlyWhatAScriptNeedsFromTheMachinePasses() {
        Map<String, String> agent = new HashMap<>();
        agent.put("PATH", "/usr/bin:/bin");
        agent.put("HOME", "/root");
        agent.put("LANG", "C.UTF-8");
        agent.put("LC_ALL", "C.UTF-8");
        agent.put("TZ", "Europe/Berlin");
        agent.put("https_proxy", "http://proxy:3128");
        agent.put("PGPASSWORD", "secret");
        agent.put("AWS_SECRET_ACCESS_KEY", "aws-secret");
        agent.put("GURURMM_ENROLLMENT_TOKEN", "grmm_enroll_x");
        agent.put("GURURMM_SERVER_URL", "http://server:3001");
        agent.put("DATABASE_PASSWORD", "db-secret");
        agent.put("JAVA_TOOL_OPTIONS", "-javaagent:x.jar");
        agent.put("LD_PRELOAD", "/tmp/evil.so");

        assertThat(ScriptEnvironment.inherit(agent)).containsOnlyKeys("PATH", "HOME", "LANG", "LC_ALL", "TZ", "https_proxy");
    }

    @Test
    void windowsNamesMatchWhateverTheirCase() {
        Map<String, String> agent = new HashMap<>();
        agent.put("Path", "C:\\Windows\\system32");
        agent.put("SYSTEMROOT", "C:\\Windows");
        agent.put("ComSpec", "C:\\Windows\\system32\\cmd.exe");
        agent.put("PROCESSOR_ARCHITECTURE", "AMD64");
        agent.put("ProgramFiles(x86)", "C:\\Program Files (x86)");
        agent.put("PSModulePath", "C:\\Program Files\\WindowsPowerShell\\Modules");
        agent.put("AZURE_CLIENT_SECRET", "secret");

        Map<String, String> inherited = ScriptEnvironment.inherit(agent);
        assertThat(inherited).containsOnlyKeys("Path", "SYSTEMROOT", "ComSpec", "PROCESSOR_ARCHITECTURE", "ProgramFiles(x86)", "PSModulePath");
        assertThat(inherited.get("PATH")).as("one variable, whatever its case").isEqualTo("C:\\Windows\\system32");
    }
}
