package com.gururmm.server.db;

import com.zaxxer.hikari.HikariDataSource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the embedded H2 file from growing without end.
 *
 * <p>Why it grows: the server opens H2 with {@code WRITE_DELAY=0;REUSE_SPACE=FALSE}
 * (ServerConfig.writeThrough). Every commit is then appended to the file before it returns, and
 * H2 never writes into space it freed, because a commit written into reused space was lost on a
 * kill -9 (issue 8; CrashDurabilityTest's {@code h2-space-reuse} variant fails with reuse on).
 * The price is a file that only grows while the database is open (about 16 KiB a commit).
 *
 * <p>What this does: when the file has grown to {@link #GROWTH_FACTOR} times its size after the
 * last compaction (and past {@link #MIN_BYTES}, 64 MiB), it runs {@code SHUTDOWN COMPACT}: H2 closes the
 * database, writes the live data to a fresh file and replaces the old one, and the pool's
 * connections are replaced so the next request reopens it. Nothing acknowledged is at risk (the
 * database is closed, not killed, and every acknowledged commit was already in the file); a
 * request that runs into the moment of closing fails with 503 and is retried by its caller (an
 * agent resends an unacknowledged result on its own).
 */
final class EmbeddedCompaction {
    private static final Logger log = LoggerFactory.getLogger(EmbeddedCompaction.class);
    static final long MIN_BYTES = 64L * 1024 * 1024;
    static final int GROWTH_FACTOR = 4;

    private final HikariDataSource dataSource;
    private final Path file;
    private final long minBytes;
    private volatile long baseline;

    private EmbeddedCompaction(HikariDataSource dataSource, Path file, long minBytes) {
        this.dataSource = dataSource;
        this.file = file;
        this.minBytes = minBytes;
        this.baseline = 0; // so that a file already past MIN_BYTES is compacted at start
    }

    /** For an embedded H2 file database opened append-only; empty for anything else. */
    static Optional<EmbeddedCompaction> of(HikariDataSource dataSource) {
        return of(dataSource, MIN_BYTES);
    }

    /** @param minBytes never compact a file smaller than this (tests use a small one) */
    static Optional<EmbeddedCompaction> of(HikariDataSource dataSource, long minBytes) {
        String url = dataSource.getJdbcUrl();
        if (!url.startsWith("jdbc:h2:file:") || !url.toUpperCase(java.util.Locale.ROOT).contains(";REUSE_SPACE=FALSE")) {
            return Optional.empty();
        }
        String path = url.substring("jdbc:h2:file:".length());
        int settings = path.indexOf(';');
        path = settings < 0 ? path : path.substring(0, settings);
        return Optional.of(new EmbeddedCompaction(dataSource, Path.of(path + ".mv.db"), minBytes));
    }

    /** Compacts when the file has grown past the threshold; returns true if it did. */
    boolean compactIfGrown() {
        long before = size();
        if (before < Math.max(minBytes, baseline * GROWTH_FACTOR)) {
            return false;
        }
        compact();
        return true;
    }

    /** Compacts now (also at start, before anything is served). */
    void compact() {
        long before = size();
        long started = System.nanoTime();
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            s.execute("SHUTDOWN COMPACT");
        } catch (SQLException e) {
            // SHUTDOWN closes the connection under us; anything else is worth a warning.
            if (!"90121".equals(e.getSQLState())) {
                log.warn("embedded database compaction failed: {}", e.getMessage());
            }
        }
        // Every pooled connection belonged to the database that just closed: replace them all.
        dataSource.getHikariPoolMXBean().softEvictConnections();
        baseline = Math.max(size(), 1);
        log.info("compacted the embedded database {}: {} KiB -> {} KiB in {} ms", file, before / 1024, baseline / 1024,
                (System.nanoTime() - started) / 1_000_000);
    }

    private long size() {
        try {
            return Files.size(file);
        } catch (IOException e) {
            return 0;
        }
    }
}
