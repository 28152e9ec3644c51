package com.gururmm.server.enrollment;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.jdbi.v3.core.Jdbi;

/** SQL for {@code enrollment_tokens}. Tokens are stored as SHA-256 hashes only. */
public final class EnrollmentTokenStore {
    /** @param serverHost minted by the server for its own local agent: who enrolls with it is the server host */
    public record TokenRow(UUID id, String tokenHash, String site, String createdBy, Instant createdAt,
                           Instant expiresAt, Integer maxUses, int uses, Instant revokedAt, boolean serverHost, UUID siteId) {
    }

    private final Jdbi jdbi;

    public EnrollmentTokenStore(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    public void insert(TokenRow row) {
        jdbi.useHandle(h -> h.createUpdate("""
                        INSERT INTO enrollment_tokens (id, token_hash, site, created_by, created_at, expires_at, max_uses, uses, revoked_at,
                                                       server_host, site_id)
                        VALUES (:id, :tokenHash, :site, :createdBy, :createdAt, :expiresAt, :maxUses, :uses, :revokedAt,
                                :serverHost, CAST(:siteId AS UUID))""")
                .bindMethods(row).execute());
    }

    public List<TokenRow> list() {
        return jdbi.withHandle(h -> h.createQuery("SELECT * FROM enrollment_tokens ORDER BY created_at DESC")
                .mapTo(TokenRow.class).list());
    }

    public Optional<TokenRow> findById(UUID id) {
        return jdbi.withHandle(h -> h.createQuery("SELECT * FROM enrollment_tokens WHERE id = :id")
                .bind("id", id).mapTo(TokenRow.class).findOne());
    }

    public Optional<TokenRow> findByHash(String hash) {
        return jdbi.withHandle(h -> h.createQuery("SELECT * FROM enrollment_tokens WHERE token_hash = :hash")
                .bind("hash", hash).mapTo(TokenRow.class).findOne());
    }

    public boolean revoke(UUID id, Instant now) {
        return jdbi.withHandle(h -> h.createUpdate(
                        "UPDATE enrollment_tokens SET revoked_at = :now WHERE id = :id AND revoked_at IS NULL")
                .bind("id", id).bind("now", now).execute()) == 1;
    }

    /**
     * Takes one use of a token atomically: succeeds only while it is unrevoked, unexpired and
     * under its use limit, so two agents racing for the last use cannot both win.
     */
    public boolean consume(String hash, Instant now) {
        return jdbi.withHandle(h -> h.createUpdate("""
                        UPDATE enrollment_tokens SET uses = uses + 1
                        WHERE token_hash = :hash AND revoked_at IS NULL
                          AND (expires_at IS NULL OR expires_at > :now)
                          AND (max_uses IS NULL OR uses < max_uses)""")
                .bind("hash", hash).bind("now", now).execute()) == 1;
    }
}
