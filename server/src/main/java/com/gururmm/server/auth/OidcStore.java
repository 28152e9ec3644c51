package com.gururmm.server.auth;

import java.time.Instant;
import java.util.Optional;
import java.util.UUID;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * SQL for single sign-on: {@code oidc_logins} (a login in flight), {@code oidc_handoffs} (a finished
 * callback waiting for the dashboard) and {@code oidc_identities} (issuer + subject → user). Logins
 * and handoffs are taken with a {@code DELETE}, so of two requests racing with one state or handoff
 * exactly one gets it (single use across a cluster too: the rows live in the shared database).
 */
final class OidcStore {
    record Pending(String browserHash, String nonce, String codeVerifier, String redirectUri, Instant expiresAt) {
    }

    record Handoff(String browserHash, UUID userId, boolean idpMfa, String detail, Instant expiresAt) {
    }

    private final Jdbi jdbi;

    OidcStore(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    void insertLogin(String stateHash, Pending p, Instant now) {
        jdbi.useHandle(h -> {
            h.createUpdate("DELETE FROM oidc_logins WHERE expires_at < :now").bind("now", now).execute();
            h.createUpdate("""
                            INSERT INTO oidc_logins (state_hash, browser_hash, nonce, code_verifier, redirect_uri, expires_at)
                            VALUES (:state, :browserHash, :nonce, :codeVerifier, :redirectUri, :expiresAt)""")
                    .bind("state", stateHash).bind("browserHash", p.browserHash()).bind("nonce", p.nonce())
                    .bind("codeVerifier", p.codeVerifier()).bind("redirectUri", p.redirectUri()).bind("expiresAt", p.expiresAt()).execute();
        });
    }

    /** The login of this state, removed so it cannot be used again; empty if unknown or already taken. */
    Optional<Pending> takeLogin(String stateHash) {
        return jdbi.inTransaction(h -> {
            Optional<Pending> row = h.createQuery("SELECT * FROM oidc_logins WHERE state_hash = :state")
                    .bind("state", stateHash).mapTo(Pending.class).findOne();
            if (row.isEmpty()) {
                return row;
            }
            int taken = h.createUpdate("DELETE FROM oidc_logins WHERE state_hash = :state").bind("state", stateHash).execute();
            return taken == 1 ? row : Optional.<Pending>empty();
        });
    }

    void insertHandoff(String handoffHash, Handoff handoff, Instant now) {
        jdbi.useHandle(h -> {
            h.createUpdate("DELETE FROM oidc_handoffs WHERE expires_at < :now").bind("now", now).execute();
            h.createUpdate("""
                            INSERT INTO oidc_handoffs (handoff_hash, browser_hash, user_id, idp_mfa, detail, expires_at)
                            VALUES (:hash, :browserHash, :userId, :idpMfa, :detail, :expiresAt)""")
                    .bind("hash", handoffHash).bind("browserHash", handoff.browserHash()).bind("userId", handoff.userId())
                    .bind("idpMfa", handoff.idpMfa()).bind("detail", handoff.detail()).bind("expiresAt", handoff.expiresAt()).execute();
        });
    }

    Optional<Handoff> takeHandoff(String handoffHash) {
        return jdbi.inTransaction(h -> {
            Optional<Handoff> row = h.createQuery("SELECT * FROM oidc_handoffs WHERE handoff_hash = :hash")
                    .bind("hash", handoffHash).mapTo(Handoff.class).findOne();
            if (row.isEmpty()) {
                return row;
            }
            int taken = h.createUpdate("DELETE FROM oidc_handoffs WHERE handoff_hash = :hash").bind("hash", handoffHash).execute();
            return taken == 1 ? row : Optional.<Handoff>empty();
        });
    }

    static Optional<UUID> userOf(Handle h, String issuer, String subject) {
        return h.createQuery("SELECT user_id FROM oidc_identities WHERE issuer = :issuer AND subject = :subject")
                .bind("issuer", issuer).bind("subject", subject).mapTo(UUID.class).findOne();
    }

    static void link(Handle h, String issuer, String subject, UUID userId, Instant now) {
        h.createUpdate("""
                        INSERT INTO oidc_identities (issuer, subject, user_id, created_at, last_login_at)
                        VALUES (:issuer, :subject, :user, :now, :now)""")
                .bind("issuer", issuer).bind("subject", subject).bind("user", userId).bind("now", now).execute();
    }

    static void touch(Handle h, String issuer, String subject, Instant now) {
        h.createUpdate("UPDATE oidc_identities SET last_login_at = :now WHERE issuer = :issuer AND subject = :subject")
                .bind("issuer", issuer).bind("subject", subject).bind("now", now).execute();
    }
}
