package com.gururmm.testkit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.UUID;
import org.junit.jupiter.api.Assumptions;

/**
 * A fresh, empty database for one test: an H2 file in a temp dir, or a new database on the
 * real PostgreSQL ({@code GURURMM_TEST_PG_URL}, default {@code 127.0.0.1:5432/test} as
 * {@code postgres}). Without a reachable PostgreSQL the test is skipped with the reason
 * printed, except under CI ({@code CI=true}), where that is a failure.
 */
public final class TestDatabase implements AutoCloseable {
    public enum Kind { H2, POSTGRES }

    private static final String ADMIN_URL = System.getenv().getOrDefault("GURURMM_TEST_PG_URL",
            "jdbc:postgresql://127.0.0.1:5432/test?user=postgres");

    private final Kind kind;
    private final String jdbcUrl;
    private final String pgName;

    private TestDatabase(Kind kind, String jdbcUrl, String pgName) {
        this.kind = kind;
        this.jdbcUrl = jdbcUrl;
        this.pgName = pgName;
    }

    public static TestDatabase create(Kind kind) {
        return switch (kind) {
            case H2 -> h2();
            case POSTGRES -> postgres();
        };
    }

    private static TestDatabase h2() {
        try {
            Path dir = Files.createTempDirectory("gururmm-h2-");
            return new TestDatabase(Kind.H2, "jdbc:h2:file:" + dir.resolve("db")
                    + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH", null);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static TestDatabase postgres() {
        String name = "gururmm_t_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16).toLowerCase(Locale.ROOT);
        try (Connection c = DriverManager.getConnection(ADMIN_URL); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name);
        } catch (SQLException e) {
            String reason = "PostgreSQL is not reachable at " + ADMIN_URL + " (" + e.getMessage() + ")";
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                throw new IllegalStateException(reason + "; under CI a missing PostgreSQL is a failure", e);
            }
            System.out.println("SKIPPED (no PostgreSQL): " + reason);
            Assumptions.abort(reason);
        }
        String url = ADMIN_URL.replaceFirst("/test(\\?|$)", "/" + name + "$1");
        return new TestDatabase(Kind.POSTGRES, url, name);
    }

    public Kind kind() {
        return kind;
    }

    public String jdbcUrl() {
        return jdbcUrl;
    }

    @Override
    public void close() {
        if (pgName == null) {
            return;
        }
        try (Connection c = DriverManager.getConnection(ADMIN_URL); Statement s = c.createStatement()) {
            s.execute("DROP DATABASE IF EXISTS " + pgName + " WITH (FORCE)");
        } catch (SQLException e) {
            System.out.println("could not drop test database " + pgName + ": " + e.getMessage());
        }
    }
}
