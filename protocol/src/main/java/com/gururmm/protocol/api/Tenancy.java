package com.gururmm.protocol.api;

import java.time.Instant;
import java.util.UUID;

/** Bodies of {@code /api/clients} and {@code /api/sites}: an MSP's customers and their sites. */
public final class Tenancy {
    private Tenancy() {
    }

    /** {@code POST /api/clients}, {@code PATCH /api/clients/{id}}, {@code POST /api/clients/{id}/sites}, {@code PATCH /api/sites/{id}}. */
    public record NameRequest(String name) {
    }

    /** A client; the counts are of what the caller may see. */
    public record ClientView(UUID id, String name, int siteCount, int agentCount, Instant createdAt) {
    }

    public record SiteView(UUID id, UUID clientId, String clientName, String name, int agentCount, Instant createdAt) {
    }
}
