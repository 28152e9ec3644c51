package com.gururmm.server.cluster;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Leases in the {@code leases} table that keep each cluster-wide job (command expiry, offline
 * alerts, notification dispatch, metrics upkeep, retention, the dead-node sweep) to one node, and
 * move it when that node dies: a lease is taken when it is free or expired, renewed by its holder
 * every third of the lease time, and expires on the database's clock ({@code CURRENT_TIMESTAMP}),
 * so no node's clock decides. On a single node (H2, or PostgreSQL without NATS) the same code
 * runs and the node simply always holds every lease.
 */
public final class ClusterLeases implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ClusterLeases.class);
    private static final Instant FREE = Instant.parse("1970-01-01T00:00:00Z");

    private final Jdbi jdbi;
    private final String node;
    private final Duration lease;
    private final Map<String, ClusterLease> leases = new ConcurrentHashMap<>();
    private final Map<String, Boolean> rowExists = new ConcurrentHashMap<>();
    private ScheduledExecutorService renewer;

    /** A lease's row as stored. */
    public record Holder(String name, String holder, Instant acquiredAt, Instant expiresAt, long term) {
    }

    public ClusterLeases(Jdbi jdbi, String node, Duration lease) {
        this.jdbi = jdbi;
        this.node = node;
        this.lease = lease;
    }

    public String node() {
        return node;
    }

    public Duration leaseTime() {
        return lease;
    }

    /** The lease of job {@code name}, renewed from now on by {@link #start()}'s loop. */
    public ClusterLease lease(String name) {
        return leases.computeIfAbsent(name, ClusterLease::new);
    }

    /** {@code job}, run only while this node holds lease {@code name}. */
    public Runnable guard(String name, Runnable job) {
        ClusterLease l = lease(name);
        return () -> {
            if (l.held()) {
                job.run();
            }
        };
    }

    /** Takes or renews every registered lease now, then every third of the lease time. */
    public synchronized void start() {
        if (renewer != null) {
            return;
        }
        renewer = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("gururmm-cluster-leases").daemon().factory());
        long every = Math.max(200, lease.toMillis() / 3);
        renewer.scheduleWithFixedDelay(this::renewAll, 0, every, TimeUnit.MILLISECONDS);
    }

    /** One renewal round over the registered leases (a failure leaves a lease to run out). */
    public void renewAll() {
        for (ClusterLease l : List.copyOf(leases.values())) {
            long started = System.nanoTime();
            boolean wasHeld = l.held();
            try {
                if (tryAcquire(l.name())) {
                    // Believed held for 4/5 of the lease, counted from before the statement: the
                    // database lets another node take it only after the whole lease from later on.
                    l.renewed(started, lease.toNanos() * 4 / 5);
                    if (!wasHeld) {
                        log.info("node {} now holds the cluster lease '{}'", node, l.name());
                    }
                } else {
                    l.lost();
                    if (wasHeld) {
                        log.warn("node {} lost the cluster lease '{}' to another node", node, l.name());
                    }
                }
            } catch (RuntimeException e) {
                // Not renewed: held() turns false by itself when the believed time runs out.
                log.warn("could not renew the cluster lease '{}': {}", l.name(), e.toString());
            }
        }
    }

    /** The database's current time. */
    public Instant databaseNow() {
        return jdbi.withHandle(h -> h.createQuery("SELECT CURRENT_TIMESTAMP").mapTo(Instant.class).one());
    }

    /**
     * Takes lease {@code name} for this node if it is free, expired or already this node's, for
     * the lease time from the database's now; true if this node holds it afterwards.
     */
    public boolean tryAcquire(String name) {
        ensureRow(name);
        return jdbi.withHandle(h -> {
            Instant now = h.createQuery("SELECT CURRENT_TIMESTAMP").mapTo(Instant.class).one();
            return h.createUpdate("""
                    UPDATE leases SET
                        acquired_at = CASE WHEN holder = :me THEN acquired_at ELSE :now END,
                        term = CASE WHEN holder = :me THEN term ELSE term + 1 END,
                        holder = :me, expires_at = :expires
                    WHERE name = :name AND (holder = :me OR holder IS NULL OR expires_at <= :now)""")
                    .bind("me", node).bind("now", now).bind("expires", now.plus(lease)).bind("name", name).execute() == 1;
        });
    }

    /** Gives lease {@code name} up if this node holds it (a clean stop), so another node takes it at once. */
    public void release(String name) {
        jdbi.useHandle(h -> h.createUpdate("UPDATE leases SET holder = NULL, expires_at = :free WHERE name = :name AND holder = :me")
                .bind("free", FREE).bind("name", name).bind("me", node).execute());
        ClusterLease l = leases.get(name);
        if (l != null) {
            l.lost();
        }
    }

    /** Every lease row (also of jobs this node does not run). */
    public List<Holder> all() {
        return jdbi.withHandle(h -> h.createQuery("SELECT name, holder, acquired_at, expires_at, term FROM leases ORDER BY name")
                .map((rs, ctx) -> new Holder(rs.getString("name"), rs.getString("holder"), instant(rs, "acquired_at"),
                        instant(rs, "expires_at"), rs.getLong("term")))
                .list());
    }

    public Optional<Holder> find(String name) {
        return all().stream().filter(h -> h.name().equals(name)).findFirst();
    }

    private static Instant instant(java.sql.ResultSet rs, String column) throws java.sql.SQLException {
        java.sql.Timestamp t = rs.getTimestamp(column);
        return t == null ? null : t.toInstant();
    }

    private void ensureRow(String name) {
        if (rowExists.containsKey(name)) {
            return;
        }
        boolean exists = jdbi.withHandle(h -> h.createQuery("SELECT COUNT(*) FROM leases WHERE name = :name").bind("name", name)
                .mapTo(Integer.class).one() > 0);
        if (!exists) {
            try {
                jdbi.useHandle(h -> h.createUpdate("INSERT INTO leases (name, holder, expires_at, term) VALUES (:name, NULL, :free, 0)")
                        .bind("name", name).bind("free", FREE).execute());
            } catch (RuntimeException raced) {
                // Another node inserted it first (primary key): the row exists either way.
                boolean nowExists = jdbi.withHandle(h -> h.createQuery("SELECT COUNT(*) FROM leases WHERE name = :name")
                        .bind("name", name).mapTo(Integer.class).one() > 0);
                if (!nowExists) {
                    throw raced;
                }
            }
        }
        rowExists.put(name, true);
    }

    /** Stops renewing and releases what this node holds, so the jobs move without waiting for expiry. */
    @Override
    public synchronized void close() {
        if (renewer != null) {
            renewer.shutdownNow();
            try {
                renewer.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        for (ClusterLease l : List.copyOf(leases.values())) {
            try {
                release(l.name());
            } catch (RuntimeException e) {
                log.warn("could not release the cluster lease '{}' (it expires by itself): {}", l.name(), e.toString());
            }
        }
    }
}
