package com.gururmm.server.auth;

import com.gururmm.protocol.api.Auth.ScopeView;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/** SQL for {@code api_keys} and {@code api_key_scopes} (V50). Keys are stored as SHA-256 hashes only. */
final class ApiKeyStore {
    /** One key as stored, with its owner's e-mail for listings. */
    record KeyRow(UUID id, UUID userId, String ownerEmail, String name, String keyPrefix, String role, boolean inheritScope,
                  Instant createdAt, Instant expiresAt, Instant lastUsedAt, String lastUsedIp, Instant revokedAt) {
    }

    /** A presented key and its owner as they are now: what one request is authenticated with. */
    record Presented(UUID id, UUID userId, String name, String role, boolean inheritScope, Instant expiresAt,
                     Instant lastUsedAt, String lastUsedIp, Instant revokedAt, String email, String ownerRole, boolean disabled) {
    }

    private static final String SELECT_KEY = """
            SELECT k.id, k.user_id, u.email AS owner_email, k.name, k.key_prefix, k.role, k.inherit_scope, k.created_at,
                   k.expires_at, k.last_used_at, k.last_used_ip, k.revoked_at
            FROM api_keys k JOIN users u ON u.id = k.user_id""";

    private final Jdbi jdbi;

    ApiKeyStore(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    Jdbi jdbi() {
        return jdbi;
    }

    static void insert(Handle h, UUID id, UUID userId, String name, String hash, String prefix, String role, boolean inheritScope,
                       Instant createdAt, Instant expiresAt) {
        h.createUpdate("""
                        INSERT INTO api_keys (id, user_id, name, key_hash, key_prefix, role, inherit_scope, created_at, expires_at)
                        VALUES (:id, :user, :name, :hash, :prefix, :role, :inherit, :created, :expires)""")
                .bind("id", id).bind("user", userId).bind("name", name).bind("hash", hash).bind("prefix", prefix)
                .bind("role", role).bind("inherit", inheritScope).bind("created", createdAt).bind("expires", expiresAt)
                .execute();
    }

    static void insertGrants(Handle h, UUID keyId, ScopeView scope) {
        for (UUID client : scope.clientIds()) {
            h.createUpdate("INSERT INTO api_key_scopes (key_id, client_id) VALUES (:key, :client)")
                    .bind("key", keyId).bind("client", client).execute();
        }
        for (UUID site : scope.siteIds()) {
            h.createUpdate("INSERT INTO api_key_scopes (key_id, site_id) VALUES (:key, :site)")
                    .bind("key", keyId).bind("site", site).execute();
        }
    }

    /** The key with this hash and its owner, in one query per request (so a revocation applies to the next one). */
    Optional<Presented> findByHash(String hash) {
        return jdbi.withHandle(h -> h.createQuery("""
                        SELECT k.id, k.user_id, k.name, k.role, k.inherit_scope, k.expires_at, k.last_used_at, k.last_used_ip,
                               k.revoked_at, u.email, u.role AS owner_role, u.disabled
                        FROM api_keys k JOIN users u ON u.id = k.user_id
                        WHERE k.key_hash = :hash""")
                .bind("hash", hash).mapTo(Presented.class).findOne());
    }

    Optional<KeyRow> find(UUID id) {
        return jdbi.withHandle(h -> h.createQuery(SELECT_KEY + " WHERE k.id = :id").bind("id", id).mapTo(KeyRow.class).findOne());
    }

    /** The keys of one user, or of everyone ({@code userId} null), newest first. */
    List<KeyRow> list(UUID userId) {
        return jdbi.withHandle(h -> {
            var query = h.createQuery(SELECT_KEY + (userId == null ? "" : " WHERE k.user_id = :user") + " ORDER BY k.created_at DESC, k.id");
            if (userId != null) {
                query.bind("user", userId);
            }
            return query.mapTo(KeyRow.class).list();
        });
    }

    /** Keys of the user that are neither revoked nor expired. */
    long countLive(Handle h, UUID userId, Instant now) {
        return h.createQuery("SELECT COUNT(*) FROM api_keys WHERE user_id = :user AND revoked_at IS NULL AND expires_at > :now")
                .bind("user", userId).bind("now", now).mapTo(Long.class).one();
    }

    /** True if the key was live and is now revoked. */
    boolean revoke(UUID id, String by, Instant now) {
        return jdbi.withHandle(h -> h.createUpdate(
                        "UPDATE api_keys SET revoked_at = :now, revoked_by = :by WHERE id = :id AND revoked_at IS NULL")
                .bind("id", id).bind("by", by).bind("now", now).execute()) == 1;
    }

    /** Revokes every live key of the user (their account was disabled); returns how many. */
    static int revokeAll(Handle h, UUID userId, String by, Instant now) {
        return h.createUpdate("UPDATE api_keys SET revoked_at = :now, revoked_by = :by WHERE user_id = :user AND revoked_at IS NULL")
                .bind("user", userId).bind("by", by).bind("now", now).execute();
    }

    /**
     * Records a use at most once per {@code cutoff}: the condition makes it one row write a minute
     * per key however busy the key is, and two nodes racing for the same minute write once.
     */
    void touch(UUID id, Instant now, Instant cutoff, String address) {
        jdbi.useHandle(h -> h.createUpdate("""
                        UPDATE api_keys SET last_used_at = :now, last_used_ip = COALESCE(:ip, last_used_ip)
                        WHERE id = :id AND (last_used_at IS NULL OR last_used_at < :cutoff)""")
                .bind("id", id).bind("now", now).bind("cutoff", cutoff).bind("ip", address).execute());
    }

    /** The sites and clients a key's own grants cover now (new sites of a granted client included); like {@link ScopeStore#resolve}. */
    static Scope resolve(Handle h, UUID keyId) {
        Set<UUID> sites = new HashSet<>();
        Set<UUID> clients = new HashSet<>();
        h.createQuery("""
                        SELECT s.id, s.client_id FROM sites s
                        WHERE s.id IN (SELECT g.site_id FROM api_key_scopes g WHERE g.key_id = :key AND g.site_id IS NOT NULL)
                           OR s.client_id IN (SELECT g.client_id FROM api_key_scopes g WHERE g.key_id = :key AND g.client_id IS NOT NULL)""")
                .bind("key", keyId)
                .map((rs, c) -> {
                    sites.add(rs.getObject(1, UUID.class));
                    clients.add(rs.getObject(2, UUID.class));
                    return null;
                }).list();
        clients.addAll(h.createQuery("SELECT client_id FROM api_key_scopes WHERE key_id = :key AND client_id IS NOT NULL")
                .bind("key", keyId).mapTo(UUID.class).list());
        return new Scope(false, sites, clients);
    }

    /** A key's grants as stored, for display. */
    static ScopeView grants(Handle h, UUID keyId) {
        List<UUID> clients = new ArrayList<>();
        List<UUID> sites = new ArrayList<>();
        h.createQuery("SELECT client_id, site_id FROM api_key_scopes WHERE key_id = :key")
                .bind("key", keyId)
                .map((rs, c) -> {
                    UUID client = rs.getObject(1, UUID.class);
                    UUID site = rs.getObject(2, UUID.class);
                    if (client != null) {
                        clients.add(client);
                    } else {
                        sites.add(site);
                    }
                    return null;
                }).list();
        clients.sort(null);
        sites.sort(null);
        return new ScopeView(clients, sites);
    }
}
