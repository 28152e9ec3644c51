package com.gururmm.protocol.api;

import java.time.Instant;
import java.util.UUID;

/** Bodies of {@code /api/enrollment-tokens}. */
public final class EnrollmentTokens {
    private EnrollmentTokens() {
    }

    /**
     * {@code siteId}: the site enrolled machines land in. {@code site} (a name, the older form)
     * names a site of the default client, created if missing. Neither: the default site.
     */
    public record CreateRequest(String site, Integer expiresInHours, Integer maxUses, UUID siteId) {
        public CreateRequest(String site, Integer expiresInHours, Integer maxUses) {
            this(site, expiresInHours, maxUses, null);
        }
    }

    /** {@code token} is present only in the response that created it; the server keeps a hash. */
    public record TokenView(
            UUID id,
            String token,
            String site,
            Instant createdAt,
            Instant expiresAt,
            Integer maxUses,
            int uses,
            Instant revokedAt,
            String status,
            UUID siteId,
            UUID clientId,
            String clientName) {
        public TokenView(UUID id, String token, String site, Instant createdAt, Instant expiresAt, Integer maxUses, int uses,
                         Instant revokedAt, String status) {
            this(id, token, site, createdAt, expiresAt, maxUses, uses, revokedAt, status, null, null, null);
        }
    }
}
