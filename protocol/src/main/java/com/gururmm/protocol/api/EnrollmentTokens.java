package com.gururmm.protocol.api;

import java.time.Instant;
import java.util.UUID;

/** Bodies of {@code /api/enrollment-tokens}. */
public final class EnrollmentTokens {
    private EnrollmentTokens() {
    }

    public record CreateRequest(String site, Integer expiresInHours, Integer maxUses) {
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
            String status) {
    }
}
