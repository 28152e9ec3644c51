package com.gururmm.agent.update;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.gururmm.agent.state.StateDir;
import com.gururmm.protocol.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;

/**
 * The on-disk contract between the launcher and the agent it runs, all under the state dir:
 *
 * <pre>
 * versions/&lt;version&gt;/gururmm-agent.jar   installed builds
 * versions/current                       the version to run (replaced atomically: the switch)
 * update/pending.json                    a switch in progress: from, to, deadline
 * update/healthy                         written by the new version once it reached the server
 * update/result.json                     outcome the launcher decided (rolled back), for the agent to report
 * update/bad-versions                    versions that failed here; never tried again
 * update/staging/                        downloads in progress
 * </pre>
 *
 * Every write goes through {@link StateDir#writeAtomically}, so a power cut leaves the old or
 * the new pointer, never none: the machine always has an agent to start.
 */
public final class UpdateFiles {
    static final String JAR = "gururmm-agent.jar";

    /** A switch from one installed version to another that has not yet proven itself. */
    public record Pending(String from, String to, String file, int deadlineSeconds, Instant startedAt) {
    }

    /** What happened to an update, as the agent reports it to the server. */
    public record Outcome(String state, String from, String to, String file, String reason, Instant at) {
    }

    private final StateDir state;

    public UpdateFiles(StateDir state) {
        this.state = state;
    }

    Path versions() {
        return state.resolve("versions");
    }

    Path update() {
        return state.resolve("update");
    }

    Path staging() {
        return update().resolve("staging");
    }

    Path jarOf(String version) {
        return versions().resolve(version).resolve(JAR);
    }

    void prepare() throws IOException {
        Files.createDirectories(versions());
        Files.createDirectories(staging());
    }

    Optional<String> current() {
        return state.read(versions().resolve("current")).map(String::trim).filter(v -> !v.isEmpty());
    }

    void setCurrent(String version) throws IOException {
        state.writeAtomically(versions().resolve("current"), version + "\n", false);
    }

    Optional<Pending> pending() {
        return readJson(update().resolve("pending.json"), Pending.class);
    }

    void writePending(Pending pending) throws IOException {
        writeJson(update().resolve("pending.json"), pending);
    }

    void clearPending() throws IOException {
        Files.deleteIfExists(update().resolve("pending.json"));
    }

    Optional<Outcome> outcome() {
        return readJson(update().resolve("result.json"), Outcome.class);
    }

    void writeOutcome(Outcome outcome) throws IOException {
        writeJson(update().resolve("result.json"), outcome);
    }

    void clearOutcome() throws IOException {
        Files.deleteIfExists(update().resolve("result.json"));
    }

    Optional<String> healthy() {
        return state.read(update().resolve("healthy")).map(String::trim);
    }

    void markHealthy(String version) throws IOException {
        state.writeAtomically(update().resolve("healthy"), version + "\n", false);
    }

    void clearHealthy() throws IOException {
        Files.deleteIfExists(update().resolve("healthy"));
    }

    Set<String> badVersions() {
        return new HashSet<>(state.read(update().resolve("bad-versions")).map(text -> text.lines().map(String::trim)
                .filter(l -> !l.isEmpty()).toList()).orElse(java.util.List.of()));
    }

    void addBadVersion(String version) throws IOException {
        Set<String> bad = badVersions();
        bad.add(version);
        state.writeAtomically(update().resolve("bad-versions"), String.join("\n", bad) + "\n", false);
    }

    private <T> Optional<T> readJson(Path file, Class<T> type) {
        return state.read(file).flatMap(text -> {
            try {
                return Optional.ofNullable(Json.mapper().readValue(text, type));
            } catch (JsonProcessingException e) {
                return Optional.empty(); // a damaged file is treated as absent; the writer is atomic, so this is a bug elsewhere
            }
        });
    }

    private void writeJson(Path file, Object value) throws IOException {
        Files.createDirectories(file.getParent());
        state.writeAtomically(file, Json.mapper().writeValueAsString(value), false);
    }
}
