package com.gururmm.server.db;

import com.gururmm.server.config.ServerConfig;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.SQLException;
import org.flywaydb.core.Flyway;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.generic.GenericTypes;
import org.jdbi.v3.core.mapper.RowMapperFactory;
import org.jdbi.v3.core.mapper.reflect.ConstructorMapper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The connection pool, the schema (migrated by Flyway at start) and the JDBI handle every
 * store uses. One instance per server.
 */
public final class Database implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Database.class);

    private final HikariDataSource dataSource;
    private final Jdbi jdbi;
    private final boolean postgres;
    private final Optional<EmbeddedCompaction> compaction;
    private final Object livenessLock = new Object();
    private HikariDataSource livenessSource;
    private Jdbi liveness;

    private Database(HikariDataSource dataSource) {
        this.dataSource = dataSource;
        this.compaction = EmbeddedCompaction.of(dataSource);
        this.jdbi = Jdbi.create(dataSource);
        // Rows map onto records by column name (snake_case columns to camelCase components).
        this.jdbi.registerRowMapper((RowMapperFactory) (type, config) -> {
            Class<?> raw = GenericTypes.getErasedType(type);
            return raw.isRecord() ? Optional.of(ConstructorMapper.of(raw)) : Optional.empty();
        });
        this.postgres = dataSource.getJdbcUrl().startsWith("jdbc:postgresql:");
    }

    /** A duplicate key (SQLState 23505 on both PostgreSQL and H2) anywhere in {@code e}'s causes: a concurrent insert won. */
    public static boolean isUniqueViolation(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof java.sql.SQLException sql && "23505".equals(sql.getSQLState())) {
                return true;
            }
        }
        return false;
    }

    public static Database open(ServerConfig config) {
        return open(config.databaseUrl(), config.databaseUser(), config.databasePassword());
    }

    /** With the pool's own meters ({@code hikaricp_connections_*}, pool {@code gururmm-db}) in {@code meters}. */
    public static Database open(ServerConfig config, io.micrometer.core.instrument.MeterRegistry meters) {
        return open(config.databaseUrl(), config.databaseUser(), config.databasePassword(), meters);
    }

    public static Database open(String jdbcUrl, String user, String password) {
        return open(jdbcUrl, user, password, null);
    }

    private static Database open(String jdbcUrl, String user, String password, io.micrometer.core.instrument.MeterRegistry meters) {
        HikariConfig hikari = new HikariConfig();
        if (meters != null) {
            hikari.setMetricsTrackerFactory(new com.zaxxer.hikari.metrics.micrometer.MicrometerMetricsTrackerFactory(meters));
        }
        hikari.setJdbcUrl(jdbcUrl);
        if (!user.isEmpty()) {
            hikari.setUsername(user);
        }
        if (!password.isEmpty()) {
            hikari.setPassword(password);
        }
        hikari.setPoolName("gururmm-db");
        // PostgreSQL: 14 here plus the 2 of the liveness pool (livenessJdbi) make the 16 a node always held.
        hikari.setMaximumPoolSize(jdbcUrl.startsWith("jdbc:h2:") ? 8 : 14);
        hikari.setConnectionTimeout(10_000);
        HikariDataSource dataSource;
        try {
            dataSource = new HikariDataSource(hikari);
        } catch (RuntimeException e) {
            throw new DatabaseUnavailableException("cannot connect to the database at "
                    + maskedUrl(jdbcUrl) + ": " + rootMessage(e) + ". Check DATABASE_URL and that the database is running.", e);
        }
        Flyway.configure()
                .dataSource(dataSource)
                .locations("classpath:db/migration")
                .load()
                .migrate();
        log.info("database ready: {}", maskedUrl(jdbcUrl));
        Database database = new Database(dataSource);
        database.compactEmbeddedIfGrown(); // before anything is served: a file left large by the last run
        return database;
    }

    public Jdbi jdbi() {
        return jdbi;
    }

    /**
     * A second, two-connection pool for the cluster's liveness writes only (node heartbeats and
     * job-lease renewals). Why apart: a connection storm can hold every connection of the main
     * pool for seconds; a heartbeat queued behind it makes a living node look dead to the others,
     * which then sweep its agents offline (seen in the 51,000-agent cluster bench). Opened at first
     * use, with the main pool's URL and credentials; no migrations.
     */
    public Jdbi livenessJdbi() {
        synchronized (livenessLock) {
            if (liveness == null) {
                HikariConfig hikari = new HikariConfig();
                hikari.setJdbcUrl(dataSource.getJdbcUrl());
                if (dataSource.getUsername() != null) {
                    hikari.setUsername(dataSource.getUsername());
                }
                if (dataSource.getPassword() != null) {
                    hikari.setPassword(dataSource.getPassword());
                }
                hikari.setPoolName("gururmm-db-liveness");
                hikari.setMaximumPoolSize(2);
                hikari.setMinimumIdle(1);
                hikari.setConnectionTimeout(5_000);
                // Opens lazily, so a database that is down when the server starts does not stop it here.
                hikari.setInitializationFailTimeout(-1);
                livenessSource = new HikariDataSource(hikari);
                liveness = Jdbi.create(livenessSource);
            }
            return liveness;
        }
    }

    /**
     * Scheduled job: compacts the append-only embedded H2 file once it has grown enough
     * ({@link EmbeddedCompaction}); nothing for PostgreSQL. Never throws.
     */
    public void compactEmbeddedIfGrown() {
        try {
            compaction.ifPresent(EmbeddedCompaction::compactIfGrown);
        } catch (RuntimeException e) {
            log.warn("embedded database compaction failed; will retry: {}", e.toString());
        }
    }

    public boolean isPostgres() {
        return postgres;
    }

    /** True when a connection can be borrowed and used; for health checks. */
    public boolean isReachable() {
        try (var connection = dataSource.getConnection()) {
            return connection.isValid(2);
        } catch (SQLException e) {
            return false;
        }
    }

    @Override
    public void close() {
        synchronized (livenessLock) {
            if (livenessSource != null) {
                livenessSource.close();
            }
        }
        dataSource.close();
    }

    private static String maskedUrl(String url) {
        return url.replaceAll("(?i)(password=)[^&;]*", "$1****");
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null) {
            t = t.getCause();
        }
        return t.getMessage();
    }
}
