package com.gururmm.agent.state;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.gururmm.protocol.Json;
import com.gururmm.protocol.wire.AgentMessage.CommandResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Results not yet acknowledged by the server. A result is written here durably before it is
 * sent, resent on every reconnect, and deleted only when the server's {@code result_ack}
 * arrives, so it survives dropped connections, server restarts and agent restarts.
 */
public final class Outbox {
    private static final Logger log = LoggerFactory.getLogger(Outbox.class);

    private final StateDir state;
    private final Path dir;
    /** Results that could not be written to disk are still held (and resent) while the process lives. */
    private final Map<UUID, CommandResult> memoryOnly = new ConcurrentHashMap<>();

    public Outbox(StateDir state) {
        this.state = state;
        this.dir = state.resolve("outbox");
    }

    public void put(CommandResult result) {
        try {
            state.writeAtomically(file(result.commandId()), Json.mapper().writeValueAsString(result), false);
        } catch (IOException e) {
            state.reportProblem("cannot write result outbox in " + dir + " (" + e.getMessage()
                    + "); unacknowledged results would be lost if the agent restarted");
            memoryOnly.put(result.commandId(), result);
        }
    }

    public Optional<CommandResult> get(UUID id) {
        CommandResult inMemory = memoryOnly.get(id);
        if (inMemory != null) {
            return Optional.of(inMemory);
        }
        return read(file(id));
    }

    public boolean contains(UUID id) {
        return memoryOnly.containsKey(id) || Files.exists(file(id));
    }

    public List<CommandResult> all() {
        List<CommandResult> out = new ArrayList<>(memoryOnly.values());
        if (Files.isDirectory(dir)) {
            try (Stream<Path> files = Files.list(dir)) {
                files.filter(p -> p.getFileName().toString().endsWith(".json")).sorted()
                        .forEach(p -> read(p).ifPresent(out::add));
            } catch (IOException e) {
                log.warn("cannot list outbox {}: {}", dir, e.getMessage());
            }
        }
        return out;
    }

    public void remove(UUID id) {
        memoryOnly.remove(id);
        try {
            Files.deleteIfExists(file(id));
        } catch (IOException e) {
            log.warn("cannot delete acknowledged result {}: {}", id, e.getMessage());
        }
    }

    private Optional<CommandResult> read(Path path) {
        return state.read(path).flatMap(text -> {
            try {
                return Optional.ofNullable(Json.mapper().readValue(text, CommandResult.class));
            } catch (JsonProcessingException e) {
                log.warn("ignoring unreadable outbox entry {}", path);
                return Optional.empty();
            }
        });
    }

    private Path file(UUID id) {
        return dir.resolve(id + ".json");
    }
}
