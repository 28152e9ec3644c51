package com.gururmm.server.pipeline;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.jdbi.v3.core.Jdbi;

/** The {@code builds} and {@code pipeline_deliveries} tables. */
final class BuildStore {
    /** One stored build; {@code components} space-separated, {@code manifest} JSON. */
    record Row(UUID id, String commit, String before, String ref, String source, String delivery, String pusher, String status,
               String components, String error, String manifest, String node, Instant createdAt, Instant startedAt, Instant finishedAt) {
    }

    private final Jdbi jdbi;

    BuildStore(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    /**
     * Records a delivery and queues its build in one transaction; false (and nothing written) if
     * this delivery id or this exact body was accepted before.
     */
    boolean acceptAndQueue(String bodySha256, Row build) {
        return jdbi.inTransaction(h -> {
            int seen = h.createQuery("SELECT COUNT(*) FROM pipeline_deliveries WHERE body_sha256 = :body OR delivery = :delivery")
                    .bind("body", bodySha256).bind("delivery", build.delivery()).mapTo(Integer.class).one();
            if (seen > 0) {
                return false;
            }
            h.createUpdate("INSERT INTO pipeline_deliveries (body_sha256, delivery, received_at) VALUES (:body, :delivery, :at)")
                    .bind("body", bodySha256).bind("delivery", build.delivery()).bind("at", build.createdAt()).execute();
            if (build.commit() != null) {
                h.createUpdate("""
                                INSERT INTO builds (id, commit_sha, before_sha, ref, source, delivery, pusher, status, created_at)
                                VALUES (:id, :commit, :before, :ref, :source, :delivery, :pusher, 'queued', :at)""")
                        .bind("id", build.id()).bind("commit", build.commit()).bind("before", build.before()).bind("ref", build.ref())
                        .bind("source", build.source()).bind("delivery", build.delivery()).bind("pusher", build.pusher())
                        .bind("at", build.createdAt()).execute();
            }
            return true;
        });
    }

    /** Takes the oldest queued build if no build is running; empty otherwise. One build at a time, across nodes too. */
    Optional<Row> claimNext(String node, Instant now) {
        return jdbi.inTransaction(h -> {
            int running = h.createQuery("SELECT COUNT(*) FROM builds WHERE status = 'running'").mapTo(Integer.class).one();
            if (running > 0) {
                return Optional.<Row>empty();
            }
            Optional<UUID> next = h.createQuery("SELECT id FROM builds WHERE status = 'queued' ORDER BY created_at, id LIMIT 1")
                    .mapTo(UUID.class).findOne();
            if (next.isEmpty()) {
                return Optional.<Row>empty();
            }
            int taken = h.createUpdate("""
                            UPDATE builds SET status = 'running', started_at = :now, node = :node
                            WHERE id = :id AND status = 'queued'
                              AND NOT EXISTS (SELECT 1 FROM builds b WHERE b.status = 'running')""")
                    .bind("id", next.get()).bind("now", now).bind("node", node).execute();
            return taken == 1 ? find(h, next.get()) : Optional.<Row>empty();
        });
    }

    void components(UUID id, List<String> components) {
        jdbi.useHandle(h -> h.createUpdate("UPDATE builds SET components = :c WHERE id = :id")
                .bind("id", id).bind("c", String.join(" ", components)).execute());
    }

    void finish(UUID id, String status, String error, String manifest, Instant at) {
        jdbi.useHandle(h -> h.createUpdate("""
                        UPDATE builds SET status = :status, error = :error, manifest = :manifest, finished_at = :at
                        WHERE id = :id AND status = 'running'""")
                .bind("id", id).bind("status", status).bind("error", truncate(error)).bind("manifest", manifest).bind("at", at).execute());
    }

    /**
     * Builds left running by a node that stopped: this node's own (at its start: they died with
     * the previous run) when {@code ownNode} is given, and those of nodes whose heartbeat is older
     * than {@code staleBefore}. They failed; what they built was never published.
     */
    int failAbandoned(String ownNode, Instant staleBefore, Instant at) {
        String own = ownNode == null ? "" : "node = :node OR ";
        return jdbi.withHandle(h -> {
            var update = h.createUpdate("UPDATE builds SET status = 'failed', finished_at = :at, error = 'the server running the build"
                            + " stopped before it finished; nothing was published. Push again to build it.'"
                            + " WHERE status = 'running' AND (" + own + "node IS NULL"
                            + " OR node NOT IN (SELECT name FROM nodes WHERE heartbeat_at >= :stale))")
                    .bind("at", at).bind("stale", staleBefore);
            if (ownNode != null) {
                update.bind("node", ownNode);
            }
            return update.execute();
        });
    }

    Optional<Row> find(UUID id) {
        return jdbi.withHandle(h -> find(h, id));
    }

    /** The push's "before" of the first build there ever was (null for a new branch); empty when there is no build. */
    Optional<String> firstBuildBefore() {
        return jdbi.withHandle(h -> h.createQuery("SELECT before_sha FROM builds ORDER BY created_at, id LIMIT 1")
                .map((rs, ctx) -> Optional.ofNullable(rs.getString(1))).findOne()).flatMap(o -> o);
    }

    /** The commit of the newest build that published (status succeeded): what the next build's change gate diffs against. */
    Optional<String> lastPublishedCommit() {
        return jdbi.withHandle(h -> h.createQuery("SELECT commit_sha FROM builds WHERE status = 'succeeded' ORDER BY finished_at DESC, id LIMIT 1")
                .mapTo(String.class).findOne());
    }

    List<Row> list(int limit) {
        return jdbi.withHandle(h -> h.createQuery("SELECT * FROM builds ORDER BY created_at DESC, id LIMIT :limit")
                .bind("limit", limit).map((rs, ctx) -> row(rs)).list());
    }

    private static Optional<Row> find(org.jdbi.v3.core.Handle h, UUID id) {
        return h.createQuery("SELECT * FROM builds WHERE id = :id").bind("id", id).map((rs, ctx) -> row(rs)).findOne();
    }

    private static Row row(java.sql.ResultSet rs) throws java.sql.SQLException {
        return new Row(rs.getObject("id", UUID.class), rs.getString("commit_sha"), rs.getString("before_sha"), rs.getString("ref"),
                rs.getString("source"), rs.getString("delivery"), rs.getString("pusher"), rs.getString("status"), rs.getString("components"),
                rs.getString("error"), rs.getString("manifest"), rs.getString("node"), instant(rs, "created_at"), instant(rs, "started_at"),
                instant(rs, "finished_at"));
    }

    private static Instant instant(java.sql.ResultSet rs, String column) throws java.sql.SQLException {
        OffsetDateTime at = rs.getObject(column, OffsetDateTime.class);
        return at == null ? null : at.toInstant();
    }

    private static String truncate(String value) {
        return value == null || value.length() <= 2000 ? value : value.substring(0, 1997) + "...";
    }
}
