package com.gururmm.server.auth;

import java.time.Instant;
import java.util.Optional;
import java.util.UUID;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * SQL for {@code sessions}: one row per issued token (keyed by its {@code jti}). A signature
 * alone never authenticates: the row must exist, be unexpired and unrevoked, and its user
 * enabled, all read in one query per request so revocation applies to the very next request.
 */
final class SessionStore {
    /** The user behind a live session, as one request sees it. */
    record Live(UUID userId, String email, String role, boolean disabled, Instant expiresAt, Instant revokedAt, boolean idpMfa) {
    }

    private final Jdbi jdbi;

    SessionStore(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    void insert(String id, UUID userId, Instant issuedAt, Instant expiresAt) {
        jdbi.useHandle(h -> insert(h, id, userId, issuedAt, expiresAt));
    }

    static void insert(Handle h, String id, UUID userId, Instant issuedAt, Instant expiresAt) {
        insert(h, id, userId, issuedAt, expiresAt, false);
    }

    /** {@code idpMfa}: the identity provider vouched for a second factor (SSO login, {@code OidcService}). */
    static void insert(Handle h, String id, UUID userId, Instant issuedAt, Instant expiresAt, boolean idpMfa) {
        // Expired rows of this user go as a new one arrives, so the table holds live sessions only.
        h.createUpdate("DELETE FROM sessions WHERE user_id = :user AND expires_at < :now")
                .bind("user", userId).bind("now", issuedAt).execute();
        h.createUpdate("INSERT INTO sessions (id, user_id, issued_at, expires_at, idp_mfa) VALUES (:id, :user, :issued, :expires, :idpMfa)")
                .bind("id", id).bind("user", userId).bind("issued", issuedAt).bind("expires", expiresAt).bind("idpMfa", idpMfa).execute();
    }

    Optional<Live> find(String id, UUID userId) {
        return jdbi.withHandle(h -> h.createQuery("""
                        SELECT u.id AS user_id, u.email, u.role, u.disabled, s.expires_at, s.revoked_at, s.idp_mfa
                        FROM sessions s JOIN users u ON u.id = s.user_id
                        WHERE s.id = :id AND s.user_id = :user""")
                .bind("id", id).bind("user", userId).mapTo(Live.class).findOne());
    }

    /** True if the session was live and is now revoked. */
    boolean revoke(String id, Instant now) {
        return jdbi.withHandle(h -> h.createUpdate("UPDATE sessions SET revoked_at = :now WHERE id = :id AND revoked_at IS NULL")
                .bind("id", id).bind("now", now).execute()) > 0;
    }

    /** Revokes every live session of the user; returns how many. */
    static int revokeAll(Handle h, UUID userId, Instant now) {
        return h.createUpdate("UPDATE sessions SET revoked_at = :now WHERE user_id = :user AND revoked_at IS NULL")
                .bind("user", userId).bind("now", now).execute();
    }
}
