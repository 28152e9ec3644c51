package com.gururmm.server.db;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The append-only embedded file (REUSE_SPACE=FALSE) grows with every commit; compaction brings it back and keeps every row. */
class EmbeddedCompactionTest {
    @TempDir
    Path dir;

    private HikariDataSource pool(String settings) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl("jdbc:h2:file:" + dir.resolve("db") + ";MODE=PostgreSQL;WRITE_DELAY=0" + settings);
        config.setMaximumPoolSize(4);
        return new HikariDataSource(config);
    }

    private static void commitRows(HikariDataSource pool, int from, int count) throws Exception {
        try (Connection c = pool.getConnection(); PreparedStatement insert = c.prepareStatement("INSERT INTO t VALUES (?, 'row')")) {
            for (int i = from; i < from + count; i++) {
                insert.setInt(1, i);
                insert.executeUpdate(); // autocommit: one commit, one appended chunk, each
            }
        }
    }

    private static int rows(HikariDataSource pool) throws Exception {
        try (Connection c = pool.getConnection(); ResultSet rs = c.createStatement().executeQuery("SELECT COUNT(*) FROM t")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    @Test
    void onlyTheAppendOnlyEmbeddedFileIsManaged() {
        try (HikariDataSource reusing = pool("")) {
            assertThat(EmbeddedCompaction.of(reusing)).isEmpty();
        }
        try (HikariDataSource appendOnly = pool(";REUSE_SPACE=FALSE")) {
            assertThat(EmbeddedCompaction.of(appendOnly)).isPresent();
        }
    }

    @Test
    void aGrownFileIsCompactedKeepingEveryRowAndThePoolWorksAfterwards() throws Exception {
        try (HikariDataSource pool = pool(";REUSE_SPACE=FALSE")) {
            try (Connection c = pool.getConnection()) {
                c.createStatement().execute("CREATE TABLE t (id INT PRIMARY KEY, v VARCHAR(10))");
            }
            EmbeddedCompaction compaction = EmbeddedCompaction.of(pool, 1024 * 1024).orElseThrow();
            commitRows(pool, 0, 400);
            long grown = Files.size(dir.resolve("db.mv.db"));
            assertThat(grown).as("append-only: every commit adds to the file").isGreaterThan(2L * 1024 * 1024);

            assertThat(compaction.compactIfGrown()).isTrue();
            long compacted = Files.size(dir.resolve("db.mv.db"));
            assertThat(compacted).isLessThan(grown / 4);
            assertThat(rows(pool)).as("through the same pool: its connections were replaced").isEqualTo(400);

            commitRows(pool, 400, 10);
            assertThat(compaction.compactIfGrown()).as("not grown 4x since the compaction").isFalse();
            assertThat(rows(pool)).isEqualTo(410);
        }
    }
}
