package com.gururmm.server.auth;

import java.util.UUID;

/**
 * The authenticated caller of a request. {@code name} is what the audit log records;
 * {@code scope} is what part of the fleet they may see (read per request, never from token claims).
 * Any credential (a session JWT today, an API key later) resolves to one of these.
 */
public record Principal(UUID userId, String name, Role role, Scope scope) {
    /** The server acting on its own behalf (first start, sweeper, local agent enrollment). */
    public static final Principal SYSTEM = new Principal(new UUID(0, 0), "system", Role.ADMIN, Scope.ALL);

    public Principal {
        // Admins are global whatever is stored for them.
        scope = role == Role.ADMIN ? Scope.ALL : scope == null ? Scope.NONE : scope;
    }

    /** Admins get every site; any other role an empty scope (sees nothing). */
    public Principal(UUID userId, String name, Role role) {
        this(userId, name, role, null);
    }
}
