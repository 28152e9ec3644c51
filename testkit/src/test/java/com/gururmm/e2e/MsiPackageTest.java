package com.gururmm.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.gururmm.e2e.DebPackageTest.Run;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Windows MSI, built on Linux with wixl and read back with msiinfo. Windows cannot run here,
 * so what is tested is what the MSI holds: the agent jar (from the reactor) and the runtime's
 * files, the GuruRMMAgent service (own process, automatic, LocalSystem, {@code java.exe -jar
 * gururmm-agent.jar service}), started on install and stopped and removed on uninstall, and the
 * enrolment properties from the msiexec command line in the service's environment (the token
 * hidden from the log). The runtime here is a stand-in directory with a placeholder
 * {@code bin/java.exe}: no Windows Java runtime can be made on Linux. The MSI has never been
 * installed on Windows.
 */
@Timeout(180)
class MsiPackageTest {
    private static final Path REPO = Path.of("..").toAbsolutePath().normalize();

    @TempDir
    Path dir;

    @Test
    void theMsiInstallsTheAgentAsAServiceWithTheEnrolmentSettingsFromTheCommandLine() throws Exception {
        boolean possible = DebPackageTest.has("wixl") && DebPackageTest.has("msiinfo");
        if (!possible && "true".equalsIgnoreCase(System.getenv("CI"))) {
            throw new IllegalStateException("CI must run MsiPackageTest: it needs wixl and msiinfo (apt-get install wixl msitools)");
        }
        Assumptions.assumeTrue(possible, "needs wixl and msiinfo (apt-get install wixl msitools)");
        Path jar = ReleaseBuilds.withVersion("1.2.3", dir.resolve("gururmm-agent.jar"));
        Path jre = dir.resolve("jre");
        Files.createDirectories(jre.resolve("bin"));
        Files.createDirectories(jre.resolve("lib/security"));
        Files.writeString(jre.resolve("bin/java.exe"), "placeholder: a Windows java.exe goes here\n");
        Files.writeString(jre.resolve("bin/jli.dll"), "placeholder\n");
        Files.writeString(jre.resolve("lib/modules"), "placeholder\n");
        Files.writeString(jre.resolve("lib/security/java.security"), "placeholder\n");
        Path out = dir.resolve("out");

        Run noRuntime = DebPackageTest.run(REPO, List.of("sh", "packaging/windows/build-msi.sh", "--jar", jar.toString(), "--out", out.toString()), 60);
        assertThat(noRuntime.exit()).isEqualTo(2);
        assertThat(noRuntime.output()).contains("--jre");
        Run badVersion = DebPackageTest.run(REPO, List.of("sh", "packaging/windows/build-msi.sh", "--jre", jre.toString(), "--jar", jar.toString(),
                "--version", "1.2.3-beta", "--out", out.toString()), 60);
        assertThat(badVersion.exit()).isEqualTo(2);
        assertThat(badVersion.output()).contains("major.minor.patch");

        Run build = DebPackageTest.run(REPO, List.of("sh", "packaging/windows/build-msi.sh", "--jre", jre.toString(), "--jar", jar.toString(),
                "--out", out.toString()), 120);
        assertThat(build.exit()).as(build.output()).isZero();
        Path msi = Path.of(build.output().strip().lines().reduce((a, b) -> b).orElseThrow());
        assertThat(msi.getFileName().toString()).isEqualTo("gururmm-agent-windows-amd64-1.2.3.msi");

        assertThat(table(msi, "Property")).contains("ProductVersion\t1.2.3", "ProductName\tGuruRMM Agent", "ALLUSERS\t1",
                "SecureCustomProperties\tGURURMM_SERVER_URL;GURURMM_ENROLLMENT_TOKEN;GURURMM_SERVER_FINGERPRINT;GURURMM_CHANNEL",
                "MsiHiddenProperties\tGURURMM_ENROLLMENT_TOKEN", "GURURMM_CHANNEL\tstable");
        // Name, display name, type 0x10 (own process), start 2 (automatic), error control 1 (normal), LocalSystem, arguments, component.
        assertThat(table(msi, "ServiceInstall")).containsPattern(
                "AgentService\tGuruRMMAgent\tGuruRMM agent\t16\t2\t1\t[^\t]*\t[^\t]*\tLocalSystem\t[^\t]*\t"
                        + "-Xmx128m -XX:\\+UseSerialGC -jar \"\\[INSTALLDIR]gururmm-agent.jar\" service\tJavaExe\t");
        // Events 163 = start on install (1) + stop on install (2) + stop on uninstall (0x20) + delete on uninstall (0x80); wait.
        assertThat(table(msi, "ServiceControl")).contains("AgentServiceControl\tGuruRMMAgent\t163\t\t1\tJavaExe");
        assertThat(table(msi, "Registry")).contains("SYSTEM\\CurrentControlSet\\Services\\GuruRMMAgent\tEnvironment\t"
                + "GURURMM_SERVER_URL=[GURURMM_SERVER_URL][~]GURURMM_ENROLLMENT_TOKEN=[GURURMM_ENROLLMENT_TOKEN][~]");
        String files = table(msi, "File");
        assertThat(files).contains("AgentJar\tAgentJar\tgururmm-agent.jar\t" + Files.size(jar) + "\t")
                .contains("JavaExe\tJavaExe\tjava.exe\t").contains("\tjava.security\t").contains("\tmodules\t");
        assertThat(table(msi, "Directory")).contains("INSTALLDIR\tProgramFiles64Folder\tGuruRMM", "JREDIR\tINSTALLDIR\tjre");
        // The service's binary is java.exe, the key file of its component.
        assertThat(table(msi, "Component")).containsPattern("JavaExe\t\\{[0-9A-F-]+}\t\\w+\t256\t\tJavaExe");
    }

    private static String table(Path msi, String name) throws Exception {
        Run export = DebPackageTest.run(REPO, List.of("msiinfo", "export", msi.toString(), name), 30);
        assertThat(export.exit()).as(export.output()).isZero();
        return export.output();
    }
}
