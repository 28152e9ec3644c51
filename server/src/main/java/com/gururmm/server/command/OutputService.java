package com.gururmm.server.command;

import com.gururmm.protocol.CommandStatus;
import com.gururmm.protocol.api.Commands.CommandOutputView;
import com.gururmm.protocol.api.Commands.OutputChunk;
import com.gururmm.protocol.wire.AgentMessage.CommandOutput;
import com.gururmm.server.events.CommandOutputReceived;
import com.gururmm.server.events.EventBus;
import com.gururmm.server.http.ApiException;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Live command output: chunks from agents in, stored and published; chunks out to the API.
 *
 * <p>The agent's chunks are a best-effort live view (docs/PROTOCOL.md, {@code command_output});
 * the command's result stays the record and is untouched here. A chunk is stored before it is
 * published, so a follower woken by the event reads it from the store, on any node. Chunks are
 * not acknowledged: a lost one is a gap in seq, which the reader sees from the offsets.
 */
public final class OutputService {
    private static final Logger log = LoggerFactory.getLogger(OutputService.class);
    /** The marker a chunk gets when the server's own per-command limit ended storing. */
    public static final String STOPPED_SERVER_CAP = "server_cap";
    /** Larger than any chunk an agent of this version sends ({@link CommandOutput#MAX_DATA_CHARS}), refused above. */
    public static final int MAX_CHUNK_CHARS = 64 * 1024;
    /** Chunks per answer of {@code GET /api/commands/{id}/output}: at most a few MiB, however big the output. */
    public static final int PAGE = 100;
    private static final Set<String> STREAMS = Set.of(CommandOutput.STDOUT, CommandOutput.STDERR);
    private static final Set<String> AGENT_STOPS = Set.of(CommandOutput.STOPPED_CAP, CommandOutput.STOPPED_BACKLOG);

    private final OutputStore store;
    private final OutputSettings settings;
    private final EventBus bus;
    private final Clock clock;
    private final String node;

    public OutputService(Jdbi jdbi, OutputSettings settings, EventBus bus, Clock clock, String node) {
        this.store = new OutputStore(jdbi);
        this.settings = settings;
        this.bus = bus;
        this.clock = clock;
        this.node = node;
    }

    public OutputSettings settings() {
        return settings;
    }

    /** A {@code command_output} frame from {@code agentId}; returns why it is malformed, or empty (stored or ignored). */
    public Optional<String> onChunk(UUID agentId, CommandOutput chunk) {
        Optional<String> problem = problem(chunk);
        if (problem.isPresent()) {
            return problem;
        }
        Instant now = clock.instant();
        OutputStore.Outcome outcome = store.insert(agentId, chunk, settings.maxChars(), now);
        switch (outcome) {
            case STORED -> publish(agentId, chunk, chunk.data(), chunk.stopped(), now);
            case CAPPED -> {
                log.info("command {}: live output reached the server's limit of {} characters; further chunks are not stored",
                        chunk.commandId(), settings.maxChars());
                publish(agentId, chunk, "", STOPPED_SERVER_CAP, now);
            }
            default -> log.debug("command {}: live output chunk {} from agent {} ignored ({})", chunk.commandId(), chunk.seq(), agentId,
                    outcome);
        }
        return Optional.empty();
    }

    private void publish(UUID agentId, CommandOutput chunk, String data, String stopped, Instant now) {
        Instant at = chunk.at() == null || chunk.at().isAfter(now) ? now : chunk.at();
        bus.publish(CommandOutputReceived.TOPIC, new CommandOutputReceived(chunk.commandId(), agentId, chunk.seq(), chunk.stream(),
                chunk.offset(), data, at, stopped, node));
    }

    static Optional<String> problem(CommandOutput chunk) {
        if (chunk.commandId() == null) {
            return Optional.of("command_output needs command_id");
        }
        if (chunk.seq() < 1) {
            return Optional.of("command_output seq must be 1 or more; got " + chunk.seq());
        }
        if (chunk.stream() == null || !STREAMS.contains(chunk.stream())) {
            return Optional.of("command_output stream must be stdout or stderr");
        }
        if (chunk.offset() < 0) {
            return Optional.of("command_output offset must not be negative; got " + chunk.offset());
        }
        if (chunk.data() == null) {
            return Optional.of("command_output needs data (empty for a marker)");
        }
        if (chunk.data().length() > MAX_CHUNK_CHARS) {
            return Optional.of("command_output data is " + chunk.data().length() + " characters; at most " + MAX_CHUNK_CHARS + " per chunk");
        }
        if (chunk.stopped() != null && !AGENT_STOPS.contains(chunk.stopped())) {
            return Optional.of("command_output stopped must be cap, backlog or absent");
        }
        return Optional.empty();
    }

    /** {@code GET /api/commands/{id}/output?after_seq=N}. */
    public CommandOutputView read(UUID commandId, long afterSeq) {
        // The state is read before the chunks: an agent sends its last chunk before its result, so when
        // this state is final every chunk that will ever be stored is already there.
        OutputStore.State state = store.state(commandId).orElseThrow(() -> ApiException.notFound("command", commandId));
        List<OutputChunk> chunks = store.after(commandId, afterSeq, PAGE);
        boolean more = chunks.size() == PAGE;
        boolean terminal = CommandStatus.parse(state.status()).map(CommandStatus::isTerminal).orElse(true);
        long next = chunks.isEmpty() ? afterSeq : chunks.getLast().seq();
        return new CommandOutputView(commandId, state.status(), state.exitCode(), terminal && !more, more, chunks, next);
    }

    /** Drops chunks past their retention; returns how many. Run from the server's scheduler. */
    public int prune() {
        int deleted = store.prune(clock.instant().minus(settings.retention()));
        if (deleted > 0) {
            log.info("deleted {} live-output chunks older than {} h", deleted, settings.retention().toHours());
        }
        return deleted;
    }
}
