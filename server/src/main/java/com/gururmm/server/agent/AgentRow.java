package com.gururmm.server.agent;

import java.time.Instant;
import java.util.UUID;

/**
 * One row of {@code agents}; JSON columns are kept as text here and decoded at the edge.
 * {@code serverHost}: the server host's own agent, on which commands are admin-only.
 * {@code site} is the site's name (kept equal to it), {@code siteId} the site itself.
 */
public record AgentRow(
        UUID id,
        String machineUid,
        String deviceId,
        String tokenHash,
        String hostname,
        String os,
        String osVersion,
        String arch,
        String version,
        String channel,
        String site,
        String ipAddresses,
        String loggedOnUsers,
        String health,
        Instant enrolledAt,
        int enrollCount,
        Instant lastSeen,
        boolean serverHost,
        UUID siteId,
        @Nullable UUID clientId,
        @Nullable String clientName) {
    /** Client columns come from the join in {@link AgentStore#SELECT}; a plain {@code SELECT *} leaves them null. */
    @java.lang.annotation.Retention(java.lang.annotation.RetentionPolicy.RUNTIME)
    @java.lang.annotation.Target({java.lang.annotation.ElementType.PARAMETER, java.lang.annotation.ElementType.RECORD_COMPONENT})
    @interface Nullable {
    }
}
