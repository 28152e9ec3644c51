package com.gururmm.server.command;

import com.gururmm.protocol.api.Commands.OutputChunk;
import com.gururmm.protocol.wire.AgentMessage.CommandOutput;
import com.gururmm.server.db.Database;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.UnableToExecuteStatementException;

/**
 * SQL of live command output ({@code command_output}). Chunks are stored in the agent's seq
 * order and only while their command is running on that agent: a chunk whose seq is not above
 * every stored one (a duplicate, or one overtaken) is ignored, so the stored sequence is always
 * in order and free of repeats, whatever an agent resends. Text with U+0000 is stored escaped,
 * as command results are ({@link OutputText}).
 */
final class OutputStore {
    /** What became of a chunk. */
    enum Outcome { STORED, CAPPED, NOT_RUNNING, STALE_SEQ, ALREADY_STOPPED }

    /** A command's state as far as its output is concerned (a light read: no stdout/stderr). */
    record State(UUID agentId, String status, Integer exitCode) {
    }

    private final Jdbi jdbi;

    OutputStore(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    /**
     * Stores {@code chunk} from {@code agentId} if its command is running there, its seq is new and
     * above the others, and the command's stored text stays within {@code maxChars}. The first chunk
     * over the cap is stored as an empty {@code server_cap} marker instead, and nothing after it.
     */
    Outcome insert(UUID agentId, CommandOutput chunk, long maxChars, Instant now) {
        try {
            return jdbi.inTransaction(h -> {
                Optional<State> state = state(h, chunk.commandId());
                if (state.isEmpty() || !state.get().agentId().equals(agentId) || !"running".equals(state.get().status())) {
                    return Outcome.NOT_RUNNING;
                }
                var totals = h.createQuery("""
                                SELECT COALESCE(MAX(seq), 0) AS max_seq, COALESCE(SUM(chars), 0) AS total, COUNT(stopped) AS stops
                                FROM command_output WHERE command_id = :id""")
                        .bind("id", chunk.commandId())
                        .map((rs, ctx) -> new long[]{rs.getLong("max_seq"), rs.getLong("total"), rs.getLong("stops")})
                        .one();
                if (chunk.seq() <= totals[0]) {
                    return Outcome.STALE_SEQ;
                }
                if (totals[2] > 0) {
                    return Outcome.ALREADY_STOPPED;
                }
                boolean over = totals[1] + chunk.data().length() > maxChars;
                String data = over ? "" : chunk.data();
                boolean escaped = OutputText.needsEscaping(data);
                h.createUpdate("""
                                INSERT INTO command_output (command_id, seq, stream, char_offset, data, data_escaped, chars, stopped,
                                       produced_at, received_at)
                                VALUES (:id, :seq, :stream, :offset, :data, :escaped, :chars, :stopped, :at, :now)""")
                        .bind("id", chunk.commandId()).bind("seq", chunk.seq()).bind("stream", chunk.stream())
                        .bind("offset", chunk.offset()).bind("data", escaped ? OutputText.escape(data) : data)
                        .bind("escaped", escaped).bind("chars", data.length())
                        .bind("stopped", over ? OutputService.STOPPED_SERVER_CAP : chunk.stopped())
                        .bind("at", chunk.at() == null || chunk.at().isAfter(now) ? now : chunk.at()).bind("now", now)
                        .execute();
                return over ? Outcome.CAPPED : Outcome.STORED;
            });
        } catch (UnableToExecuteStatementException e) {
            if (Database.isUniqueViolation(e)) {
                return Outcome.STALE_SEQ; // the same seq stored by a concurrent delivery
            }
            throw e;
        }
    }

    Optional<State> state(UUID commandId) {
        return jdbi.withHandle(h -> state(h, commandId));
    }

    private static Optional<State> state(org.jdbi.v3.core.Handle h, UUID commandId) {
        return h.createQuery("SELECT agent_id, status, exit_code FROM commands WHERE id = :id")
                .bind("id", commandId)
                .map((rs, ctx) -> new State(rs.getObject("agent_id", UUID.class), rs.getString("status"),
                        (Integer) rs.getObject("exit_code")))
                .findOne();
    }

    /** Up to {@code limit} chunks after {@code afterSeq}, in seq order, with their original text. */
    List<OutputChunk> after(UUID commandId, long afterSeq, int limit) {
        return jdbi.withHandle(h -> h.createQuery("""
                        SELECT seq, stream, char_offset, data, data_escaped, stopped, produced_at FROM command_output
                        WHERE command_id = :id AND seq > :after ORDER BY seq LIMIT :limit""")
                .bind("id", commandId).bind("after", afterSeq).bind("limit", limit)
                .map((rs, ctx) -> new OutputChunk(rs.getLong("seq"), rs.getString("stream"), rs.getLong("char_offset"),
                        OutputText.stored(rs.getString("data"), rs.getBoolean("data_escaped")),
                        rs.getTimestamp("produced_at").toInstant(), rs.getString("stopped")))
                .list());
    }

    /** Stored text of a command's chunks, in characters (tests, and the cap). */
    long totalChars(UUID commandId) {
        return jdbi.withHandle(h -> h.createQuery("SELECT COALESCE(SUM(chars), 0) FROM command_output WHERE command_id = :id")
                .bind("id", commandId).mapTo(Long.class).one());
    }

    /** Deletes chunks that arrived before {@code cutoff}; returns how many. */
    int prune(Instant cutoff) {
        return jdbi.withHandle(h -> h.createUpdate("DELETE FROM command_output WHERE received_at < :cutoff")
                .bind("cutoff", cutoff).execute());
    }
}
