package com.gururmm.server.agent;

import java.time.Instant;
import com.gururmm.server.tenancy.TenancyStore;
import java.util.UUID;
import org.jdbi.v3.core.mapper.reflect.JdbiConstructor;

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
    @JdbiConstructor
    public AgentRow {
    }

    /** A row in the default site (tests and tools that build rows by hand; the store sets the site name). */
    public AgentRow(UUID id, String machineUid, String deviceId, String tokenHash, String hostname, String os, String osVersion,
                    String arch, String version, String channel, String site, String ipAddresses, String loggedOnUsers,
                    String health, Instant enrolledAt, int enrollCount, Instant lastSeen, boolean serverHost) {
        this(id, machineUid, deviceId, tokenHash, hostname, os, osVersion, arch, version, channel, site, ipAddresses, loggedOnUsers,
                health, enrolledAt, enrollCount, lastSeen, serverHost, TenancyStore.DEFAULT_SITE, null, null);
    }

    /** Client columns come from the join in {@link AgentStore#SELECT}; a plain {@code SELECT *} leaves them null. */
    @java.lang.annotation.Retention(java.lang.annotation.RetentionPolicy.RUNTIME)
    @java.lang.annotation.Target({java.lang.annotation.ElementType.PARAMETER, java.lang.annotation.ElementType.RECORD_COMPONENT})
    @interface Nullable {
    }
}
