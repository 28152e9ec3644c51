package com.gururmm.server.auth;

import java.util.UUID;

/** The authenticated caller of a request. {@code name} is what the audit log records. */
public record Principal(UUID userId, String name, Role role) {
    /** The server acting on its own behalf (first start, sweeper, local agent enrollment). */
    public static final Principal SYSTEM = new Principal(new UUID(0, 0), "system", Role.ADMIN);
}
