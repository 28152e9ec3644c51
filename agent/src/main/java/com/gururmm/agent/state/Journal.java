package com.gururmm.agent.state;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.gururmm.protocol.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which command ids this agent has started: the guarantee that a command is never run twice,
 * however often the server delivers it. An id is claimed durably <em>before</em> its process
 * is launched, so a crash between claim and launch at worst loses a run (reported as failed
 * "agent restarted during execution"), never doubles one. The process id is recorded once it
 * runs, so an agent restarted mid-command can kill the orphaned process tree.
 *
 * <p>One small file per command in {@code journal/}; entries of finished commands are pruned
 * after {@link #RETENTION}, far longer than the server keeps redelivering.
 */
public final class Journal {
    private static final Logger log = LoggerFactory.getLogger(Journal.class);
    public static final Duration RETENTION = Duration.ofDays(14);

    /** @param processStart the process's start time, to tell a reused pid from ours */
    public record Entry(UUID commandId, String state, Long pid, Instant processStart, Instant updatedAt) {
    }

    private final StateDir state;
    private final Path dir;
    /** Fallback when the directory is not writable: still never run twice within this process. */
    private final Set<UUID> claimedInMemory = ConcurrentHashMap.newKeySet();

    public Journal(StateDir state) {
        this.state = state;
        this.dir = state.resolve("journal");
    }

    /** Claims {@code id} for execution; false if it was claimed before (now or in an earlier life). */
    public synchronized boolean claim(UUID id) {
        if (!claimedInMemory.add(id) || Files.exists(file(id))) {
            return false;
        }
        write(new Entry(id, "starting", null, null, Instant.now()), true);
        return true;
    }

    public boolean hasClaimed(UUID id) {
        return claimedInMemory.contains(id) || Files.exists(file(id));
    }

    /**
     * Records the pid. Not synced to disk: it only serves to kill an orphan after the agent died,
     * and then the page cache still has it (a power cut kills the orphan anyway).
     */
    public synchronized void markRunning(UUID id, long pid, Instant processStart) {
        write(new Entry(id, "running", pid, processStart, Instant.now()), false);
    }

    /** Not synced: if lost, the start-up recovery finds the result in the outbox and marks it done then. */
    public synchronized void markDone(UUID id) {
        write(new Entry(id, "done", null, null, Instant.now()), false);
    }

    /** Entries of commands that were starting or running when the agent last stopped. */
    public List<Entry> unfinished() {
        List<Entry> out = new ArrayList<>();
        for (Path path : list()) {
            read(path).filter(e -> !e.state().equals("done")).ifPresent(out::add);
        }
        return out;
    }

    /** Deletes entries of finished commands older than the retention period. */
    public void prune(Instant now) {
        for (Path path : list()) {
            read(path).filter(e -> e.state().equals("done") && e.updatedAt().plus(RETENTION).isBefore(now))
                    .ifPresent(e -> {
                        try {
                            Files.deleteIfExists(path);
                        } catch (IOException ex) {
                            log.debug("cannot prune {}: {}", path, ex.getMessage());
                        }
                    });
        }
    }

    private void write(Entry entry, boolean durable) {
        try {
            String json = Json.mapper().writeValueAsString(entry);
            if (durable) {
                state.writeAtomically(file(entry.commandId()), json, false);
            } else {
                state.writeAtomicallyNoSync(file(entry.commandId()), json);
            }
        } catch (IOException e) {
            state.reportProblem("cannot write the command journal in " + dir + " (" + e.getMessage()
                    + "); duplicate deliveries are only filtered until the agent restarts");
        }
    }

    private Optional<Entry> read(Path path) {
        return state.read(path).flatMap(text -> {
            try {
                return Optional.ofNullable(Json.mapper().readValue(text, Entry.class));
            } catch (JsonProcessingException e) {
                log.warn("ignoring unreadable journal entry {}", path);
                return Optional.empty();
            }
        });
    }

    private List<Path> list() {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.getFileName().toString().endsWith(".json")).toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    private Path file(UUID id) {
        return dir.resolve(id + ".json");
    }
}
