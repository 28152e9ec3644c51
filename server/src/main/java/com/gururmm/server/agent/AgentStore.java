package com.gururmm.server.agent;

import com.gururmm.protocol.wire.Inventory;
import com.gururmm.server.db.JsonText;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import com.gururmm.server.auth.Scope;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.PreparedBatch;

/**
 * SQL for {@code agents}. Rows are read with their site's client ({@link #SELECT}); the
 * {@code site} column is kept equal to the site's name (enrolment, move, site rename) for
 * readers of the plain string, while {@code site_id} is what scope and filters use.
 */
public final class AgentStore {
    /** Every agent column plus its client; append WHERE/ORDER on alias {@code a} (agents) or {@code s} (sites). */
    public static final String SELECT = """
            SELECT a.*, s.client_id, c.name AS client_name
            FROM agents a JOIN sites s ON s.id = a.site_id JOIN clients c ON c.id = s.client_id
            """;
    private final Jdbi jdbi;

    public AgentStore(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    public Optional<AgentRow> findById(UUID id) {
        return jdbi.withHandle(h -> h.createQuery(SELECT + "WHERE a.id = :id")
                .bind("id", id).mapTo(AgentRow.class).findOne());
    }

    public Optional<AgentRow> findByMachineUid(String machineUid) {
        return jdbi.withHandle(h -> h.createQuery(SELECT + "WHERE a.machine_uid = :uid")
                .bind("uid", machineUid).mapTo(AgentRow.class).findOne());
    }

    /**
     * Filters are optional (null = any); {@code hostnamePattern} uses SQL LIKE wildcards with
     * {@code !} as the escape character. Named explicitly, because the default (backslash) made
     * a hostname filter ending in a backslash an invalid pattern; {@code !} also keeps the
     * statement free of backslashes, which string-literal modes and parsers read differently.
     * Retired agents are left out.
     */
    public List<AgentRow> list(String os, String site, String hostnamePattern) {
        return list(os, site, hostnamePattern, false);
    }

    public List<AgentRow> list(String os, String site, String hostnamePattern, boolean includeRetired) {
        return list(new Filter(os, site, hostnamePattern, null, null, includeRetired), Scope.ALL);
    }

    /** What {@link #list(Filter, Scope)} selects; null fields match anything. {@code site} is a site name. */
    public record Filter(String os, String site, String hostnamePattern, UUID clientId, UUID siteId, boolean includeRetired) {
    }

    /** The agents matching {@code f} within {@code scope} (filtered in SQL: rows outside it are never read). */
    public List<AgentRow> list(Filter f, Scope scope) {
        return jdbi.withHandle(h -> h.createQuery(SELECT + """
                        WHERE (CAST(:retired AS BOOLEAN) OR a.retired_at IS NULL)
                          AND (CAST(:os AS VARCHAR(20)) IS NULL OR a.os = :os)
                          AND (CAST(:site AS VARCHAR(200)) IS NULL OR LOWER(s.name) = LOWER(:site))
                          AND (CAST(:host AS VARCHAR(255)) IS NULL OR LOWER(a.hostname) LIKE LOWER(:host) ESCAPE '!')
                          AND (CAST(:clientId AS UUID) IS NULL OR s.client_id = CAST(:clientId AS UUID))
                          AND (CAST(:siteId AS UUID) IS NULL OR a.site_id = CAST(:siteId AS UUID))
                          AND\s""" + scope.sitesSql("a.site_id") + """

                        ORDER BY a.hostname, a.id""")
                .bind("os", f.os()).bind("site", f.site()).bind("host", f.hostnamePattern()).bind("retired", f.includeRetired())
                .bind("clientId", f.clientId()).bind("siteId", f.siteId())
                .mapTo(AgentRow.class).list());
    }

    /** The site of agent {@code id}, empty for an unknown id. */
    public Optional<UUID> siteOf(UUID id) {
        return jdbi.withHandle(h -> h.createQuery("SELECT site_id FROM agents WHERE id = :id")
                .bind("id", id).mapTo(UUID.class).findOne());
    }

    /** Moves the agent to site {@code siteId} (whose name is {@code siteName}). */
    public void moveToSite(UUID id, UUID siteId, String siteName) {
        jdbi.useHandle(h -> h.createUpdate("UPDATE agents SET site_id = :site, site = :name WHERE id = :id")
                .bind("id", id).bind("site", siteId).bind("name", siteName).execute());
    }

    /** The current credential's hash; empty for an unknown or retired agent. */
    public Optional<String> tokenHash(UUID id) {
        return jdbi.withHandle(h -> h.createQuery("SELECT token_hash FROM agents WHERE id = :id AND retired_at IS NULL")
                .bind("id", id).mapTo(String.class).findOne());
    }

    /**
     * Retires the agent: its credential hash is wiped (no token hashes to the empty string) and
     * it is marked retired; its row and commands stay. False if it is unknown or already retired.
     */
    public boolean retire(UUID id, Instant now) {
        return jdbi.withHandle(h -> h.createUpdate("UPDATE agents SET retired_at = :now, token_hash = '' WHERE id = :id AND retired_at IS NULL")
                .bind("id", id).bind("now", now).execute()) > 0;
    }

    public boolean isRetired(UUID id) {
        return jdbi.withHandle(h -> h.createQuery("SELECT COUNT(*) FROM agents WHERE id = :id AND retired_at IS NOT NULL")
                .bind("id", id).mapTo(Long.class).one()) > 0;
    }

    public java.util.Set<UUID> retiredIds() {
        return jdbi.withHandle(h -> h.createQuery("SELECT id FROM agents WHERE retired_at IS NOT NULL")
                .mapTo(UUID.class).set());
    }

    public void insert(AgentRow row) {
        jdbi.useHandle(h -> h.createUpdate("""
                        INSERT INTO agents (id, machine_uid, device_id, token_hash, hostname, os, os_version, arch, version,
                                            channel, site, ip_addresses, logged_on_users, health, enrolled_at, enroll_count, last_seen,
                                            server_host, site_id)
                        VALUES (:id, :machineUid, :deviceId, :tokenHash, :hostname, :os, :osVersion, :arch, :version,
                                :channel, (SELECT name FROM sites WHERE id = CAST(:siteId AS UUID)), :ipAddresses, :loggedOnUsers, :health, :enrolledAt, :enrollCount, :lastSeen,
                                :serverHost, CAST(:siteId AS UUID))""")
                .bindMethods(row).execute());
    }

    /**
     * A machine we already know enrolled again (reinstall, new token, wiped state dir): keep its
     * row and history, take the new identity details and credential. The site only changes when
     * the new token names one ({@code siteId} non-null; {@code site} is its name). The server-host mark is only ever added, never cleared by an enrollment.
     * A retired machine that enrols again is active again.
     */
    public void reenroll(UUID id, String deviceId, String tokenHash, String hostname, String os, String arch,
                         String version, String channel, UUID siteId, Instant now, boolean serverHost) {
        jdbi.useHandle(h -> h.createUpdate("""
                        UPDATE agents SET device_id = :deviceId, token_hash = :tokenHash, hostname = :hostname, os = :os,
                               arch = :arch, version = :version, channel = :channel, site = COALESCE((SELECT name FROM sites WHERE id = CAST(:siteId AS UUID)), site),
                               site_id = COALESCE(CAST(:siteId AS UUID), site_id),
                               enroll_count = enroll_count + 1, enrolled_at = :now, retired_at = NULL,
                               server_host = (server_host OR :serverHost)
                        WHERE id = :id""")
                .bind("id", id).bind("deviceId", deviceId).bind("tokenHash", tokenHash).bind("hostname", hostname)
                .bind("os", os).bind("arch", arch).bind("version", version).bind("channel", channel)
                .bind("siteId", siteId).bind("now", now).bind("serverHost", serverHost).execute());
    }

    /** True when agent {@code id} is the server host's own agent; false for an unknown id. */
    public boolean isServerHost(UUID id) {
        return jdbi.withHandle(h -> h.createQuery("SELECT server_host FROM agents WHERE id = :id")
                .bind("id", id).mapTo(Boolean.class).findOne()).orElse(false);
    }

    /**
     * Marks the agent of machine {@code machineUid} (the server host's machine id) as the server
     * host, for agents enrolled before the mark existed; returns how many rows changed (0 or 1).
     */
    public int markServerHost(String machineUid) {
        return jdbi.withHandle(h -> h.createUpdate(
                        "UPDATE agents SET server_host = TRUE WHERE machine_uid = :uid AND server_host = FALSE")
                .bind("uid", machineUid).execute());
    }

    public void updateInventory(UUID id, Inventory inventory, Instant now) {
        jdbi.useHandle(h -> h.createUpdate("""
                        UPDATE agents SET hostname = :hostname, os = :os, os_version = :osVersion, arch = :arch,
                               version = :version, channel = :channel, device_id = :deviceId,
                               ip_addresses = :ips, logged_on_users = :users, health = :health, last_seen = :now
                        WHERE id = :id""")
                .bind("id", id)
                .bind("hostname", inventory.hostname())
                .bind("os", inventory.os())
                .bind("osVersion", inventory.osVersion())
                .bind("arch", inventory.arch())
                .bind("version", inventory.agentVersion())
                .bind("channel", inventory.channel())
                .bind("deviceId", inventory.deviceId())
                .bind("ips", JsonText.write(inventory.ipAddresses()))
                .bind("users", JsonText.write(inventory.loggedOnUsers()))
                .bind("health", JsonText.write(inventory.health()))
                .bind("now", now)
                .execute());
    }

    /** One batched statement for many heartbeats: the write that keeps 10,000 agents cheap. */
    public void updateLastSeen(Map<UUID, Instant> lastSeen) {
        if (lastSeen.isEmpty()) {
            return;
        }
        jdbi.useHandle(h -> {
            PreparedBatch batch = h.prepareBatch("UPDATE agents SET last_seen = :at WHERE id = :id AND (last_seen IS NULL OR last_seen < :at)");
            lastSeen.forEach((id, at) -> batch.bind("id", id).bind("at", at).add());
            batch.execute();
        });
    }
}
