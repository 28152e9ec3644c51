package com.gururmm.server.routing;

import com.gururmm.server.auth.Role;
import io.javalin.security.RouteRole;
import java.util.Objects;
import java.util.Optional;

/**
 * Who may call one route, declared where the route is registered ({@link RouteTable}, which hands
 * it to Javalin as the route's only {@link RouteRole}) and
 * enforced for every request by {@link AccessFilter}; the authorization test and
 * {@code GET /api/openapi.json} are generated from the same declarations.
 *
 * <p>A route that takes the id of a tenant-owned object declares it ({@link #onAgent},
 * {@link #onCommand}, {@link #onBatch}, {@link #onClient}, {@link #onSite}): the filter then
 * answers 404 when that object is outside the caller's scope, exactly as for an unknown id, so
 * existence does not leak. For {@code onAgent} and {@code onCommand} routes that need technician
 * or more, the server host's agent is also admin-only (403).
 *
 * @param minimum the least role a signed-in user needs; null for an {@link #open} route
 * @param openBecause for an open route: how it authenticates instead (shown in the OpenAPI document)
 * @param agentCredential the route also accepts an agent's own credential (downloads of builds)
 * @param target the path parameter naming the tenant-owned object the route acts on, or null
 * @param credential a named credential the route also accepts instead of a user's token (e.g. {@code metrics_scrape},
 *                   the Prometheus scrape token); {@link AccessFilter#credential} says how it is checked. Null = none.
 * @param sessionOnly the route needs a signed-in session: an API key is refused (403) even with the role
 *                    ({@link #requireSession}), e.g. creating keys or changing the account's password or MFA
 * @param callerNeutral a mutating route that cannot change who any caller is (session, account, role, scope,
 *                        MFA): it leaves the cache of authenticated callers alone ({@link #changesNoCaller()}).
 *                        Every other POST, PUT, PATCH and DELETE empties it, so a revocation applies at once.
 */
public record Rule(Role minimum, String openBecause, boolean agentCredential, Target target, String credential,
                   boolean sessionOnly, boolean callerNeutral) implements RouteRole {

    /** What kind of object a path parameter names, for the scope check. */
    public enum Kind { AGENT, COMMAND, BATCH, CLIENT, SITE }

    /** Path parameter {@code param} is the id of a {@code kind}. */
    public record Target(Kind kind, String param) {
        public Target {
            Objects.requireNonNull(kind);
            Objects.requireNonNull(param);
        }
    }

    /** No bearer token: the route authenticates by other means (a password, an enrollment token), or is public. */
    public static Rule open(String because) {
        return new Rule(null, Objects.requireNonNull(because), false, null, null, false, false);
    }

    /** A signed-in user with at least {@code minimum}. */
    public static Rule role(Role minimum) {
        return new Rule(Objects.requireNonNull(minimum), null, false, null, null, false, false);
    }

    /** This route acts on the agent named by path parameter {@code name}: scope (404) and server-host (403) rules apply. */
    public Rule onAgent(String name) {
        return on(Kind.AGENT, name);
    }

    /** The command named by {@code name}: in scope when its agent is. */
    public Rule onCommand(String name) {
        return on(Kind.COMMAND, name);
    }

    /** The batch named by {@code name}: in scope when every agent it targeted is. */
    public Rule onBatch(String name) {
        return on(Kind.BATCH, name);
    }

    /** The client named by {@code name}: in scope when granted, or when one of its sites is. */
    public Rule onClient(String name) {
        return on(Kind.CLIENT, name);
    }

    /** The site named by {@code name}. */
    public Rule onSite(String name) {
        return on(Kind.SITE, name);
    }

    private Rule on(Kind kind, String name) {
        if (target != null) {
            throw new IllegalStateException("a rule names one scoped path parameter; already " + target);
        }
        return new Rule(minimum, openBecause, agentCredential, new Target(kind, name), credential, sessionOnly, callerNeutral);
    }

    /** Agents may call it too, with their own credential ({@code Authorization: Bearer} + {@code X-GuruRMM-Agent-Id}). */
    public Rule orAgentCredential() {
        return new Rule(minimum, openBecause, true, target, credential, sessionOnly, callerNeutral);
    }

    /** The route also accepts the credential named {@code name} (registered with {@link AccessFilter#credential}). */
    public Rule orCredential(String name) {
        return new Rule(minimum, openBecause, agentCredential, target, Objects.requireNonNull(name), sessionOnly, callerNeutral);
    }

    /**
     * Only a signed-in session may call it, never an API key (403): what would let a key outgrow its
     * owner's restrictions (mint more keys, turn MFA off, trade the password for a full session).
     */
    public Rule requireSession() {
        if (minimum == null) {
            throw new IllegalStateException("an open route takes no credential at all");
        }
        return new Rule(minimum, openBecause, agentCredential, target, credential, true, callerNeutral);
    }

    /**
     * This mutation cannot change any caller's identity, role, scope or session (running or
     * cancelling a command): the hot paths keep the authenticated-caller cache warm.
     */
    public Rule changesNoCaller() {
        return new Rule(minimum, openBecause, agentCredential, target, credential, sessionOnly, true);
    }

    public boolean isOpen() {
        return minimum == null;
    }

    /** The agent path parameter of an {@link #onAgent} rule, or null. */
    public String agentParam() {
        return target != null && target.kind() == Kind.AGENT ? target.param() : null;
    }

    public Optional<String> agentPathParam() {
        return Optional.ofNullable(agentParam());
    }

    public Optional<Target> scopedTarget() {
        return Optional.ofNullable(target);
    }

    /** For the OpenAPI document and logs, e.g. {@code technician (agent scope)}. */
    public String describe() {
        if (isOpen()) {
            return "open: " + openBecause;
        }
        return minimum.wireName() + (target != null ? " (" + target.kind().name().toLowerCase() + " scope)" : "")
                + (agentCredential ? " or agent credential" : "") + (credential != null ? " or " + credential + " token" : "")
                + (sessionOnly ? ", signed-in session only (no API key)" : "");
    }
}
