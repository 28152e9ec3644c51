package com.gururmm.server.routing;

import com.gururmm.server.auth.Access;
import com.gururmm.server.auth.Principal;
import com.gururmm.server.http.ApiException;
import com.gururmm.server.http.Bodies;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.util.UUID;

/**
 * The one before-handler that authorizes every matched route from its {@link Rule}: open routes
 * pass; otherwise the bearer token is authenticated (401), the role compared with the rule's
 * minimum (403), and for routes that name a tenant-owned object ({@link Rule#target}) the
 * {@link ScopeGuard} decides: 404 outside the caller's scope (as for an unknown id), 403 where a
 * rule forbids acting on it (the server host's agent).
 * A matched endpoint without a rule is refused, so a route registered around the table fails
 * closed instead of open.
 */
public final class AccessFilter {
    public static final String AGENT_ID_HEADER = "X-GuruRMM-Agent-Id";
    private static final String CREDENTIAL_ATTRIBUTE = "gururmm.credential";

    /** The named credential ({@link Rule#orCredential}) that authorized this request, or null (a user or an agent). */
    public static String credentialUsed(Context ctx) {
        return ctx.attribute(CREDENTIAL_ATTRIBUTE);
    }

    /** Resolves {@code Authorization: Bearer ...} to a user; throws a 401 {@link ApiException} otherwise. */
    @FunctionalInterface
    public interface Users {
        Principal authenticate(String authorizationHeader);

        /**
         * The same, knowing where the request came from ({@code clientAddress}, or null): recorded as an
         * API key's last use, and in the audit entry of a refused key.
         */
        default Principal authenticate(String authorizationHeader, String clientAddress) {
            return authenticate(authorizationHeader);
        }

        /** A request that may change who a caller is starts or has ended: forget any caller remembered. */
        default void callersMayChange() {
        }
    }

    /** True when {@code token} is agent {@code agentId}'s current credential. */
    @FunctionalInterface
    public interface Agents {
        boolean authenticate(UUID agentId, String token);
    }

    /** May {@code principal} act on agent {@code agentId} at all? Throws a 403 {@link ApiException} if not. */
    @FunctionalInterface
    public interface AgentScope {
        AgentScope ANY = (principal, agentId) -> { };

        void check(Principal principal, UUID agentId);
    }

    /**
     * The scope check of a route that names a tenant-owned object: throws a 404 {@link ApiException}
     * when {@code id} is outside the principal's scope (never a 403: existence must not leak), or a
     * 403 when a rule forbids acting on it. An unknown id may pass (the handler answers 404).
     */
    @FunctionalInterface
    public interface ScopeGuard {
        ScopeGuard ANY = (principal, rule, id) -> { };

        void check(Principal principal, Rule rule, UUID id);
    }

    private final Users users;
    private final Agents agents;
    private volatile ScopeGuard scope = ScopeGuard.ANY;
    private volatile java.util.function.Function<Context, String> clientAddress = Context::ip;
    private final java.util.Map<String, java.util.function.Predicate<String>> credentials = new java.util.concurrent.ConcurrentHashMap<>();

    public AccessFilter(Users users, Agents agents) {
        this.users = users;
        this.agents = agents;
    }

    /** Set once while wiring, by the feature that owns the scope rules (tenancy). */
    public void scope(ScopeGuard scope) {
        this.scope = scope;
    }

    /** Set once while wiring: the client address of a request (trusted proxies resolved), for API key use records. */
    public void clientAddress(java.util.function.Function<Context, String> clientAddress) {
        this.clientAddress = clientAddress;
    }

    /**
     * Says how the named credential of {@link Rule#orCredential} is checked: {@code accepts} gets the
     * request's {@code Authorization} header (possibly null). A rule naming a credential nobody
     * registered accepts only users (fail closed).
     */
    public void credential(String name, java.util.function.Predicate<String> accepts) {
        credentials.put(name, accepts);
    }

    /** What acting on an agent named in a body needs: a technician's rule on that agent. */
    private static final Rule ACT_ON_AGENT = Rule.role(com.gururmm.server.auth.Role.TECHNICIAN).onAgent("agent_id");

    /**
     * Applies the agent scope rules where the agent is not a path parameter (it is named in a body,
     * as for a tunnel session): 404 outside the caller's scope, 403 on the server host's agent for
     * non-admins, exactly as the filter does for {@code onAgent} routes.
     */
    public void checkAgent(Principal principal, UUID agentId) {
        scope.check(principal, ACT_ON_AGENT, agentId);
    }

    /** Installs the filter for the routes (and declared static files) of {@code table}. */
    public void install(RoutesConfig routes, RouteTable table) {
        routes.before(AccessFilter::securityHeaders);
        routes.beforeMatched(ctx -> {
            forgetCallersIfChanging(ctx);
            authorize(ctx, table);
        });
        table.afterCallerChange(users::callersMayChange);
    }

    /**
     * A mutation may revoke a session, disable or re-role an account, change a scope or the MFA
     * policy: callers remembered by {@link Users} are forgotten as it starts (here) and again once
     * its handler has finished, committed ({@link RouteTable}), unless its rule says it changes no
     * caller ({@link Rule#changesNoCaller}).
     */
    private void forgetCallersIfChanging(Context ctx) {
        String method = ctx.method().name();
        if (method.equals("GET") || method.equals("HEAD") || method.equals("OPTIONS")) {
            return;
        }
        Rule rule = ctx.routeRoles().stream().filter(Rule.class::isInstance).map(Rule.class::cast).findFirst().orElse(null);
        if (rule == null || !rule.callerNeutral()) {
            users.callersMayChange();
        }
    }

    /**
     * API answers (tokens among them) are never cached by a browser or proxy, and no response is
     * content-sniffed into something executable.
     */
    private static void securityHeaders(Context ctx) {
        ctx.header("X-Content-Type-Options", "nosniff");
        if (ctx.path().startsWith("/api/")) {
            ctx.header("Cache-Control", "no-store");
        }
    }

    private void authorize(Context ctx, RouteTable table) {
        if (ctx.method().name().equals("OPTIONS")) {
            return;
        }
        // The matched route's roles: the RouteTable gives each route exactly one, its Rule.
        Rule rule = ctx.routeRoles().stream().filter(Rule.class::isInstance).map(Rule.class::cast).findFirst().orElse(null);
        if (rule == null && table.isOpenStaticFile(ctx.path())) {
            return;
        }
        if (rule == null) {
            throw ApiException.forbidden("Route " + ctx.method() + " " + ctx.path() + " declares no access rule; it is refused.");
        }
        if (rule.isOpen()) {
            return;
        }
        if (rule.credential() != null && credentials.getOrDefault(rule.credential(), header -> false).test(ctx.header("Authorization"))) {
            // The handler may narrow what such a credential reaches further (enrollment tokens: agent bundles only).
            ctx.attribute(CREDENTIAL_ATTRIBUTE, rule.credential());
            return;
        }
        if (rule.agentCredential() && ctx.header(AGENT_ID_HEADER) != null) {
            authenticateAgent(ctx);
            return;
        }
        Principal principal = users.authenticate(ctx.header("Authorization"), clientAddress.apply(ctx));
        Access.attach(ctx, principal);
        if (!principal.role().includes(rule.minimum())) {
            throw ApiException.forbidden("This needs the " + rule.minimum().wireName() + " role; you are "
                    + principal.role().wireName() + ".");
        }
        if (rule.sessionOnly() && principal.viaApiKey()) {
            throw ApiException.forbidden("An API key cannot do this (" + ctx.method() + " " + ctx.path()
                    + "); log in with your password (and MFA) and use the session.");
        }
        if (rule.target() != null) {
            scope.check(principal, rule, Bodies.uuidParam(ctx, rule.target().param()));
        }
    }

    private void authenticateAgent(Context ctx) {
        String rawId = ctx.header(AGENT_ID_HEADER);
        String authorization = ctx.header("Authorization");
        String token = authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)
                ? authorization.substring(7).trim() : null;
        try {
            if (agents.authenticate(UUID.fromString(rawId.trim()), token)) {
                return;
            }
        } catch (IllegalArgumentException ignored) {
            // not a UUID: the 401 below
        }
        throw ApiException.unauthorized("The agent credential is not valid for agent " + Bodies.truncate(rawId)
                + "; this route needs a current agent or user credential.");
    }
}
