package com.gururmm.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The gururmm launcher (packaging/linux/gururmm, and ./gururmm in a checkout) on a machine whose
 * only `java` on the PATH is 17 and JAVA_HOME is unset: it finds a Java 21+ under /usr/lib/jvm, or
 * the runtime bundled next to it; with none anywhere it exits non-zero and says what to install.
 * Uses the host's real JDK 17 and the JDK running this test, and the packaged CLI jar.
 */
@Timeout(120)
class CliLauncherTest {
    private static final Path REPO = Path.of("..").toAbsolutePath().normalize();
    private static final Path CLI_JAR = REPO.resolve("cli/target/gururmm.jar");
    private static final Path JAVA_17 = Path.of("/usr/lib/jvm/java-17-openjdk-amd64/bin/java");

    @TempDir
    Path dir;

    record Run(int exit, String output) {
    }

    private Path pathWithOnlyJava17() throws Exception {
        boolean possible = Files.isRegularFile(CLI_JAR) && Files.isExecutable(JAVA_17);
        if (!possible && "true".equalsIgnoreCase(System.getenv("CI"))) {
            throw new IllegalStateException("CI must run CliLauncherTest: it needs " + CLI_JAR + " (./test.sh packages it first: cli comes after testkit in the reactor) and Debian's JDK 17 at " + JAVA_17);
        }
        Assumptions.assumeTrue(possible, "needs the packaged CLI jar and a JDK 17 at " + JAVA_17);
        Path bin = Files.createDirectories(dir.resolve("path-bin"));
        if (!Files.exists(bin.resolve("java"))) {
            Files.createSymbolicLink(bin.resolve("java"), JAVA_17);
        }
        return bin;
    }

    private static Run run(Path cwd, List<String> command, Map<String, String> env) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(command).directory(cwd.toFile()).redirectErrorStream(true);
        pb.environment().clear();
        pb.environment().putAll(env);
        Process p = pb.start();
        byte[] out = p.getInputStream().readAllBytes();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new Run(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }

    private Map<String, String> java17Env(Path bin) {
        return Map.of("PATH", bin + ":/usr/bin:/bin", "HOME", dir.toString());
    }


    @Test
    void readmeQuickStartAliasRunsTheCliWhenTheDefaultJavaIs17() throws Exception {
        Path bin = pathWithOnlyJava17();
        assertThat(run(REPO, List.of("sh", "-c", "java -version"), java17Env(bin)).output()).contains("version \"17.");
        String readme = Files.readString(REPO.resolve("README.md"));
        String alias = readme.lines().filter(l -> l.startsWith("alias gururmm=")).findFirst().orElseThrow();
        // The README's own alias line, verbatim, in the checkout, then a command that needs no server.
        Run ran = run(REPO, List.of("bash", "-c", "shopt -s expand_aliases\n" + alias + "\ngururmm --version\n"), java17Env(bin));
        assertThat(ran.exit()).as(ran.output()).isZero();
        assertThat(ran.output()).startsWith("gururmm ").doesNotContain("UnsupportedClassVersionError");
    }

    @Test
    void findsAJava21UnderUsrLibJvmWhenPathJavaIs17AndJavaHomeIsUnset() throws Exception {
        Path bin = pathWithOnlyJava17();
        Map<String, String> env = new java.util.HashMap<>(java17Env(bin));
        env.put("GURURMM_CLI_JAR", CLI_JAR.toString());
        Run ran = run(REPO, List.of("sh", "packaging/linux/gururmm", "--version"), env);
        assertThat(ran.exit()).as(ran.output()).isZero();
        assertThat(ran.output()).startsWith("gururmm ");
        // A JAVA_HOME that is too old is passed over, not obeyed.
        env.put("JAVA_HOME", JAVA_17.getParent().getParent().toString());
        Run old = run(REPO, List.of("sh", "packaging/linux/gururmm", "--version"), env);
        assertThat(old.exit()).as(old.output()).isZero();
    }

    @Test
    void usesTheRuntimeBundledNextToItAndOtherwiseSaysWhatToInstall() throws Exception {
        Path bin = pathWithOnlyJava17();
        // A package-shaped tree: <home>/bin/gururmm, <home>/gururmm.jar, and no /usr/lib/jvm to search.
        Path home = Files.createDirectories(dir.resolve("opt/gururmm/bin")).getParent();
        Files.copy(REPO.resolve("packaging/linux/gururmm"), home.resolve("bin/gururmm"));
        Files.copy(CLI_JAR, home.resolve("gururmm.jar"));
        Path noJvms = Files.createDirectories(dir.resolve("no-jvms"));
        Map<String, String> env = new java.util.HashMap<>(java17Env(bin));
        env.put("GURURMM_JVM_ROOT", noJvms.toString());

        Run none = run(dir, List.of("sh", home.resolve("bin/gururmm").toString(), "--version"), env);
        assertThat(none.exit()).as(none.output()).isEqualTo(2);
        assertThat(none.output()).contains("needs Java 21 or newer", "version 17", "apt-get install openjdk-21-jre-headless")
                .doesNotContain("UnsupportedClassVersionError");

        Path thisJdk = Path.of(ProcessHandle.current().info().command().orElseThrow()).getParent().getParent();
        Files.createSymbolicLink(home.resolve("jre"), thisJdk);
        Run bundled = run(dir, List.of("sh", home.resolve("bin/gururmm").toString(), "--version"), env);
        assertThat(bundled.exit()).as(bundled.output()).isZero();
        assertThat(bundled.output()).startsWith("gururmm ");
    }
}
