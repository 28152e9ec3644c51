package com.gururmm.server.auth;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/** SQL for {@code user_totp}, {@code user_recovery_codes}, {@code mfa_challenges} and {@code mfa_required_roles} (V40). */
final class MfaStore {
    record TotpRow(UUID userId, String secretSealed, Instant createdAt, Instant confirmedAt, Long lastStep) {
        boolean active() {
            return confirmedAt != null;
        }
    }

    record ChallengeRow(String tokenHash, UUID userId, String kind, Instant expiresAt, int failures, Instant usedAt) {
    }

    private final Jdbi jdbi;

    MfaStore(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    Jdbi jdbi() {
        return jdbi;
    }

    Optional<TotpRow> totp(UUID userId) {
        return jdbi.withHandle(h -> h.createQuery("SELECT * FROM user_totp WHERE user_id = :u").bind("u", userId).mapTo(TotpRow.class).findOne());
    }

    /** A new, unconfirmed authenticator (replacing an unconfirmed one; an active one is the caller's to refuse). */
    void startEnrolment(UUID userId, String sealed, Instant now) {
        jdbi.useTransaction(h -> {
            h.createUpdate("DELETE FROM user_totp WHERE user_id = :u AND confirmed_at IS NULL").bind("u", userId).execute();
            h.createUpdate("INSERT INTO user_totp (user_id, secret_sealed, created_at) VALUES (:u, :s, :now)")
                    .bind("u", userId).bind("s", sealed).bind("now", now).execute();
        });
    }

    /**
     * Accepts a code of {@code step}: true only if no code of that step or a later one was accepted
     * before (atomic, so two requests racing with one code cannot both pass).
     */
    static boolean advanceStep(Handle h, UUID userId, long step) {
        return h.createUpdate("UPDATE user_totp SET last_step = :step WHERE user_id = :u AND (last_step IS NULL OR last_step < :step)")
                .bind("u", userId).bind("step", step).execute() == 1;
    }

    static void confirm(Handle h, UUID userId, Instant now, List<String> recoveryHashes) {
        h.createUpdate("UPDATE user_totp SET confirmed_at = :now WHERE user_id = :u").bind("u", userId).bind("now", now).execute();
        h.createUpdate("DELETE FROM user_recovery_codes WHERE user_id = :u").bind("u", userId).execute();
        for (String hash : recoveryHashes) {
            h.createUpdate("INSERT INTO user_recovery_codes (user_id, code_hash, created_at) VALUES (:u, :h, :now)")
                    .bind("u", userId).bind("h", hash).bind("now", now).execute();
        }
    }

    /** Marks one unused recovery code used; false if it is not one of the user's unused codes. */
    static boolean useRecoveryCode(Handle h, UUID userId, String hash, Instant now) {
        return h.createUpdate("UPDATE user_recovery_codes SET used_at = :now WHERE user_id = :u AND code_hash = :h AND used_at IS NULL")
                .bind("u", userId).bind("h", hash).bind("now", now).execute() == 1;
    }

    int recoveryCodesLeft(UUID userId) {
        return jdbi.withHandle(h -> h.createQuery("SELECT COUNT(*) FROM user_recovery_codes WHERE user_id = :u AND used_at IS NULL")
                .bind("u", userId).mapTo(Integer.class).one());
    }

    /** Removes the user's authenticator and recovery codes; true if there was an authenticator. */
    boolean remove(UUID userId) {
        return jdbi.inTransaction(h -> remove(h, userId));
    }

    /** As {@link #remove(UUID)}, on the caller's transaction. */
    static boolean remove(org.jdbi.v3.core.Handle h, UUID userId) {
        h.createUpdate("DELETE FROM user_recovery_codes WHERE user_id = :u").bind("u", userId).execute();
        h.createUpdate("DELETE FROM mfa_challenges WHERE user_id = :u").bind("u", userId).execute();
        return h.createUpdate("DELETE FROM user_totp WHERE user_id = :u").bind("u", userId).execute() > 0;
    }

    void insertChallenge(String tokenHash, UUID userId, String kind, Instant now, Instant expiresAt) {
        jdbi.useTransaction(h -> {
            // Stale challenges of this user go as a new one arrives.
            h.createUpdate("DELETE FROM mfa_challenges WHERE user_id = :u AND (expires_at < :now OR used_at IS NOT NULL)")
                    .bind("u", userId).bind("now", now).execute();
            h.createUpdate("INSERT INTO mfa_challenges (token_hash, user_id, kind, expires_at) VALUES (:t, :u, :k, :e)")
                    .bind("t", tokenHash).bind("u", userId).bind("k", kind).bind("e", expiresAt).execute();
        });
    }

    Optional<ChallengeRow> challenge(String tokenHash) {
        return jdbi.withHandle(h -> h.createQuery("SELECT * FROM mfa_challenges WHERE token_hash = :t")
                .bind("t", tokenHash).mapTo(ChallengeRow.class).findOne());
    }

    /** Counts a wrong code against the challenge; at {@code max} it is used up. */
    void challengeFailed(String tokenHash, int max, Instant now) {
        jdbi.useHandle(h -> h.createUpdate("""
                        UPDATE mfa_challenges SET failures = failures + 1,
                               used_at = CASE WHEN failures + 1 >= :max THEN :now ELSE used_at END
                        WHERE token_hash = :t""")
                .bind("t", tokenHash).bind("max", max).bind("now", now).execute());
    }

    /** Consumes the challenge; false if another request consumed it first. */
    static boolean consumeChallenge(Handle h, String tokenHash, Instant now) {
        return h.createUpdate("UPDATE mfa_challenges SET used_at = :now WHERE token_hash = :t AND used_at IS NULL AND expires_at > :now")
                .bind("t", tokenHash).bind("now", now).execute() == 1;
    }

    List<String> requiredRoles() {
        return jdbi.withHandle(h -> h.createQuery("SELECT role FROM mfa_required_roles ORDER BY role").mapTo(String.class).list());
    }

    void setRequiredRoles(List<String> roles, String by, Instant now) {
        jdbi.useTransaction(h -> {
            h.createUpdate("DELETE FROM mfa_required_roles").execute();
            for (String role : roles) {
                h.createUpdate("INSERT INTO mfa_required_roles (role, updated_by, updated_at) VALUES (:r, :by, :now)")
                        .bind("r", role).bind("by", by).bind("now", now).execute();
            }
        });
    }
}
