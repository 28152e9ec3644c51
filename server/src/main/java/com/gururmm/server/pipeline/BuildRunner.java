package com.gururmm.server.pipeline;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Runs one build of one commit, in a directory of its own: a fresh clone of the pipeline's
 * repository, checked out at the pushed commit, then that commit's own
 * {@code deploy/build-pipeline/build.sh}. The server never runs a copy of the scripts it keeps
 * itself: what builds a commit is what the commit says.
 *
 * <p>The script's contract (deploy/build-pipeline/README.md): it runs in the checkout with
 * {@code GURURMM_BUILD_COMMIT}, {@code GURURMM_BUILD_BEFORE} (empty: build everything) and
 * {@code GURURMM_BUILD_OUT} set; it writes {@code $GURURMM_BUILD_OUT/components} (the change
 * gate's answer, space-separated, empty for nothing) last, {@code $GURURMM_BUILD_OUT/version} and
 * {@code plan} (the gate's answer, written before building, so a failed build still says what it
 * was building), and what it built into {@code $GURURMM_BUILD_OUT/artifacts/}. A non-zero exit
 * fails the build.
 *
 * <p>The script gets a scrubbed environment: {@code PATH}, {@code HOME}, {@code JAVA_HOME}, locale
 * and proxy variables only. That keeps secrets out of what the build tools print, not out of
 * reach: the build runs as the server's OS user, which can read the data dir and the server's
 * own environment (docs/RELEASES.md, "Who the build runs as").
 */
final class BuildRunner {
    static final String SCRIPT = "deploy/build-pipeline/build.sh";
    private static final List<String> PASSED_ENV = List.of("PATH", "HOME", "JAVA_HOME", "LANG", "LC_ALL", "TMPDIR", "MAVEN_OPTS",
            "MAVEN_ARGS", "http_proxy", "https_proxy", "no_proxy", "HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY");
    private static final Duration GIT_TIMEOUT = Duration.ofMinutes(10);

    /** What a build that ran to its end produced. */
    record Outcome(List<String> components, String version, List<Path> artifacts) {
    }

    /** A build step failed; the message says which and why (the log has the details). */
    static final class BuildFailed extends Exception {
        BuildFailed(String message) {
            super(message);
        }
    }

    private final String repository;
    private final Duration timeout;

    BuildRunner(String repository, Duration timeout) {
        this.repository = repository;
        this.timeout = timeout;
    }

    /** Builds {@code commit} in {@code work} (created empty), writing every step's output to {@code log}. */
    Outcome run(String commit, String before, Path work, Path log) throws BuildFailed, IOException, InterruptedException {
        Files.createDirectories(work);
        Path checkout = work.resolve("checkout");
        Path out = work.resolve("out");
        Files.createDirectories(out.resolve("artifacts"));
        long deadline = System.nanoTime() + timeout.toNanos();
        step(log, work, List.of("git", "clone", "--quiet", "--no-checkout", "--", repository, checkout.toString()),
                Map.of(), until(deadline, GIT_TIMEOUT), "cloning " + repository);
        step(log, checkout, List.of("git", "-c", "advice.detachedHead=false", "checkout", "--quiet", "--detach", commit, "--"),
                Map.of(), until(deadline, GIT_TIMEOUT), "checking out " + commit + " (is it in GURURMM_PIPELINE_REPO?)");
        if (!Files.isRegularFile(checkout.resolve(SCRIPT))) {
            note(log, "no " + SCRIPT + " in commit " + commit);
            throw new BuildFailed("commit " + commit + " has no " + SCRIPT + "; the pipeline runs the commit's own build script");
        }
        Map<String, String> env = Map.of("GURURMM_BUILD_COMMIT", commit, "GURURMM_BUILD_BEFORE", before == null ? "" : before,
                "GURURMM_BUILD_OUT", out.toString());
        step(log, checkout, List.of("sh", SCRIPT), env, until(deadline, timeout), SCRIPT);
        List<String> components = components(read(out.resolve("components"), "components"));
        String version = read(out.resolve("version"), "version").strip();
        List<Path> artifacts;
        try (Stream<Path> files = Files.list(out.resolve("artifacts"))) {
            artifacts = files.sorted(Comparator.comparing(Path::toString)).toList();
        }
        for (Path artifact : artifacts) {
            if (!Files.isRegularFile(artifact, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                throw new BuildFailed(SCRIPT + " left " + artifact.getFileName() + " in the artifacts directory, which is not a plain file");
            }
        }
        return new Outcome(components, version, artifacts);
    }

    /** What the change gate chose for a build in {@code work}, as far as the script got (empty if it got nowhere). */
    static List<String> plan(Path work) {
        try {
            return components(read(work.resolve("out").resolve("plan"), "plan"));
        } catch (BuildFailed | IOException e) {
            return List.of();
        }
    }

    private static List<String> components(String line) throws BuildFailed {
        List<String> components = Arrays.stream(line.split("\\s+")).filter(s -> !s.isEmpty()).toList();
        for (String c : components) {
            if (!c.matches("[a-z][a-z0-9-]{0,31}")) {
                throw new BuildFailed(SCRIPT + " named a component '" + c + "' that is not a lowercase word");
            }
        }
        return components;
    }

    private static Duration until(long deadline, Duration cap) {
        long left = deadline - System.nanoTime();
        return Duration.ofNanos(Math.max(0, Math.min(left, cap.toNanos())));
    }

    private static String read(Path file, String what) throws BuildFailed, IOException {
        if (!Files.isRegularFile(file)) {
            throw new BuildFailed(SCRIPT + " exited 0 but wrote no $GURURMM_BUILD_OUT/" + what);
        }
        if (Files.size(file) > 4096) {
            throw new BuildFailed("$GURURMM_BUILD_OUT/" + what + " is over 4 KiB");
        }
        return Files.readString(file, StandardCharsets.UTF_8).strip();
    }

    private static void note(Path log, String line) throws IOException {
        Files.writeString(log, "==> " + line + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    /** Runs one command with its output appended to the log; a non-zero exit or the deadline fails the build. */
    private static void step(Path log, Path dir, List<String> command, Map<String, String> extraEnv, Duration timeout, String what)
            throws BuildFailed, IOException, InterruptedException {
        note(log, String.join(" ", command).replaceFirst("//[^/@ ]+@", "//****@"));
        // The step writes straight into the log, so GET /api/builds/{id} shows a running build's progress.
        ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        Map<String, String> env = builder.environment();
        Map<String, String> inherited = new java.util.HashMap<>(env);
        env.clear();
        for (String name : PASSED_ENV) {
            if (inherited.containsKey(name)) {
                env.put(name, inherited.get(name));
            }
        }
        env.put("GIT_TERMINAL_PROMPT", "0");
        env.putAll(extraEnv);
        Process process = builder.start();
        boolean finished;
        try {
            finished = process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            kill(process);
            throw e;
        }
        if (!finished) {
            kill(process);
            note(log, "killed: the build's time limit was reached");
            throw new BuildFailed(what + " did not finish within the build's time limit (GURURMM_PIPELINE_TIMEOUT_SECONDS, or git's"
                    + " own 10 minutes for clone and checkout)");
        }
        if (process.exitValue() != 0) {
            note(log, "exit code " + process.exitValue());
            throw new BuildFailed(what + " failed with exit code " + process.exitValue() + "; the build log says why");
        }
    }

    /** Kills the step and everything it started (a Maven build forks). */
    private static void kill(Process process) {
        List<ProcessHandle> tree = new ArrayList<>(process.descendants().toList());
        tree.add(process.toHandle());
        tree.forEach(ProcessHandle::destroyForcibly);
    }
}
