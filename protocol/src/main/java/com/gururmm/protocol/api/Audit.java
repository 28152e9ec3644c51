package com.gururmm.protocol.api;

import java.time.Instant;

/** Bodies of {@code /api/audit}. */
public final class Audit {
    private Audit() {
    }

    public record AuditEntry(long id, Instant at, String actor, String action, String target, String detail) {
    }
}
