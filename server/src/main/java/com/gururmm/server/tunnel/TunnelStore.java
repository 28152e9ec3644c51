package com.gururmm.server.tunnel;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.jdbi.v3.core.Jdbi;

/** The audit trail of tunnel sessions ({@code tunnel_sessions}); the live state is in {@link TunnelSession}. */
public final class TunnelStore {
    /** One stored session. */
    public record Row(UUID id, UUID agentId, UUID userId, String userName, String context, int cols, int rows, String state,
               Instant createdAt, Instant endedAt, Integer exitCode, String endReason, long bytesOut, long bytesIn,
               String recordingFile, String tty, String node) {
    }

    private final Jdbi jdbi;

    public TunnelStore(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    public void insert(Row row) {
        jdbi.useHandle(h -> h.createUpdate("""
                        INSERT INTO tunnel_sessions (id, agent_id, user_id, user_name, context, term_cols, term_rows, state, created_at,
                                                     bytes_out, bytes_in, recording_file, node)
                        VALUES (:id, :agent, :user, :name, :context, :cols, :rows, :state, :created, 0, 0, :recording, :node)""")
                .bind("id", row.id()).bind("agent", row.agentId()).bind("user", row.userId()).bind("name", row.userName())
                .bind("context", row.context()).bind("cols", row.cols()).bind("rows", row.rows()).bind("state", row.state())
                .bind("created", row.createdAt()).bind("recording", row.recordingFile()).bind("node", row.node())
                .execute());
    }

    public void opened(UUID id, String tty) {
        jdbi.useHandle(h -> h.createUpdate("UPDATE tunnel_sessions SET state = 'open', tty = :tty WHERE id = :id")
                .bind("id", id).bind("tty", tty).execute());
    }

    public void ended(UUID id, String state, Instant at, Integer exitCode, String reason, long bytesOut, long bytesIn, int cols, int rows,
               String recordingFile) {
        jdbi.useHandle(h -> h.createUpdate("""
                        UPDATE tunnel_sessions SET state = :state, ended_at = :at, exit_code = :code, end_reason = :reason,
                               bytes_out = :out, bytes_in = :in, term_cols = :cols, term_rows = :rows, recording_file = :recording
                        WHERE id = :id""")
                .bind("id", id).bind("state", state).bind("at", at).bind("code", exitCode).bind("reason", truncate(reason))
                .bind("out", bytesOut).bind("in", bytesIn).bind("cols", cols).bind("rows", rows).bind("recording", recordingFile)
                .execute());
    }

    /**
     * Sessions a previous run of this node left open: they died with it. Another node's sessions
     * are left alone (they are alive there); rows without a node predate the column.
     */
    public int endAbandoned(String node, Instant at) {
        return jdbi.withHandle(h -> h.createUpdate("""
                        UPDATE tunnel_sessions SET state = 'ended', ended_at = :at, end_reason = 'the server restarted'
                        WHERE ended_at IS NULL AND (node = :node OR node IS NULL)""")
                .bind("at", at).bind("node", node).execute());
    }

    /** Why {@link #endOrphaned} ended a session. */
    static final String ORPHANED = "the server node holding the session stopped";

    /** Sessions held by a node that is gone from the cluster (dead and swept, or stopped): they died with it. */
    public int endOrphaned(Instant at) {
        return jdbi.withHandle(h -> h.createUpdate("""
                        UPDATE tunnel_sessions SET state = 'ended', ended_at = :at, end_reason = :reason
                        WHERE ended_at IS NULL AND node IS NOT NULL AND node NOT IN (SELECT name FROM nodes)""")
                .bind("at", at).bind("reason", ORPHANED).execute());
    }

    /**
     * Sessions {@link #endOrphaned} ended while their node still held them (it was only paused
     * past the lease time, and was swept): they are open again. Returns how many.
     */
    public int reopenOrphaned(String node, java.util.Collection<UUID> live) {
        if (live.isEmpty()) {
            return 0;
        }
        return jdbi.withHandle(h -> h.createUpdate("""
                        UPDATE tunnel_sessions SET state = 'open', ended_at = NULL, end_reason = NULL
                        WHERE id IN (<ids>) AND node = :node AND ended_at IS NOT NULL AND end_reason = :reason""")
                .bindList("ids", List.copyOf(live)).bind("node", node).bind("reason", ORPHANED).execute());
    }

    public Optional<Row> find(UUID id) {
        return jdbi.withHandle(h -> h.createQuery("SELECT * FROM tunnel_sessions WHERE id = :id").bind("id", id)
                .map((rs, ctx) -> row(rs)).findOne());
    }

    /** Newest first; {@code userId} null means everyone's. */
    public List<Row> list(UUID userId, UUID agentId, int limit) {
        return jdbi.withHandle(h -> h.createQuery("""
                        SELECT * FROM tunnel_sessions
                        WHERE (CAST(:user AS UUID) IS NULL OR user_id = CAST(:user AS UUID))
                          AND (CAST(:agent AS UUID) IS NULL OR agent_id = CAST(:agent AS UUID))
                        ORDER BY created_at DESC LIMIT :limit""")
                .bind("user", userId).bind("agent", agentId).bind("limit", limit)
                .map((rs, ctx) -> row(rs)).list());
    }

    /**
     * Recording files of sessions that ended before {@code before}, whichever node kept them (a
     * node prunes those on its disk); their rows keep the audit trail.
     */
    public List<Row> recordingsEndedBefore(Instant before) {
        return jdbi.withHandle(h -> h.createQuery("""
                        SELECT * FROM tunnel_sessions WHERE recording_file IS NOT NULL AND ended_at IS NOT NULL AND ended_at < :before""")
                .bind("before", before).map((rs, ctx) -> row(rs)).list());
    }

    public void forgetRecording(UUID id) {
        jdbi.useHandle(h -> h.createUpdate("UPDATE tunnel_sessions SET recording_file = NULL WHERE id = :id").bind("id", id).execute());
    }

    private static Row row(java.sql.ResultSet rs) throws java.sql.SQLException {
        return new Row(rs.getObject("id", UUID.class), rs.getObject("agent_id", UUID.class), rs.getObject("user_id", UUID.class),
                rs.getString("user_name"), rs.getString("context"), rs.getInt("term_cols"), rs.getInt("term_rows"), rs.getString("state"),
                instant(rs, "created_at"), instant(rs, "ended_at"), (Integer) rs.getObject("exit_code", Integer.class),
                rs.getString("end_reason"), rs.getLong("bytes_out"), rs.getLong("bytes_in"), rs.getString("recording_file"),
                rs.getString("tty"), rs.getString("node"));
    }

    private static Instant instant(java.sql.ResultSet rs, String column) throws java.sql.SQLException {
        OffsetDateTime at = rs.getObject(column, OffsetDateTime.class);
        return at == null ? null : at.toInstant();
    }

    private static String truncate(String value) {
        return value == null || value.length() <= 500 ? value : value.substring(0, 497) + "...";
    }
}
