package com.gururmm.protocol.api;

import com.gururmm.protocol.api.Auth.ScopeView;
import java.time.Instant;
import java.util.UUID;

/** Bodies of {@code /api/api-keys} (docs/OPERATIONS.md, "API keys"). */
public final class ApiKeys {
    private ApiKeys() {
    }

    /**
     * {@code POST /api/api-keys}. {@code name} is required; at most one of {@code expires_at} and
     * {@code expires_in_days} (neither: 90 days). {@code role} defaults to the owner's and may not be
     * higher; {@code scope} (technician and viewer keys) names clients and sites within the owner's
     * scope; absent: the owner's scope, whatever it is when the key is used.
     */
    public record CreateRequest(String name, Instant expiresAt, Integer expiresInDays, String role, ScopeView scope) {
        public CreateRequest(String name) {
            this(name, null, null, null, null);
        }
    }

    /** The answer to {@code POST /api/api-keys}: {@code key} is shown this once; the server keeps only its hash. */
    public record Created(UUID id, String key, String name, String prefix, String role, ScopeView scope,
                          Instant createdAt, Instant expiresAt) {
    }

    /**
     * A key as {@code GET /api/api-keys} lists it (never the secret). {@code scope} null: the owner's.
     * {@code status}: {@code active}, {@code expired} or {@code revoked}.
     */
    public record KeyView(UUID id, String name, String prefix, UUID ownerId, String ownerEmail, String role, ScopeView scope,
                          String status, Instant createdAt, Instant expiresAt, Instant lastUsedAt, String lastUsedIp,
                          Instant revokedAt) {
    }
}
