package com.gururmm.server.auth;

import java.util.UUID;

/**
 * The authenticated caller of a request. {@code name} is what the audit log records;
 * {@code scope} is what part of the fleet they may see (read per request, never from token claims).
 * Any credential (a session JWT, an API key) resolves to one of these.
 *
 * @param apiKeyId the API key the request was made with, or null for a signed-in session; a key's
 *                 {@code role} and {@code scope} are already narrowed to what both it and its owner allow
 */
public record Principal(UUID userId, String name, Role role, Scope scope, UUID apiKeyId) {
    /** The server acting on its own behalf (first start, sweeper, local agent enrollment). */
    public static final Principal SYSTEM = new Principal(new UUID(0, 0), "system", Role.ADMIN, Scope.ALL);

    public Principal {
        // Admins are global whatever is stored for them.
        scope = role == Role.ADMIN ? Scope.ALL : scope == null ? Scope.NONE : scope;
    }

    /** A signed-in session's caller. */
    public Principal(UUID userId, String name, Role role, Scope scope) {
        this(userId, name, role, scope, null);
    }

    /** Admins get every site; any other role an empty scope (sees nothing). */
    public Principal(UUID userId, String name, Role role) {
        this(userId, name, role, null);
    }

    /** True when the request came with an API key rather than a signed-in session. */
    public boolean viaApiKey() {
        return apiKeyId != null;
    }
}
