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
 * @param minimum the least role a signed-in user needs; null for an {@link #open} route
 * @param openBecause for an open route: how it authenticates instead (shown in the OpenAPI document)
 * @param agentCredential the route also accepts an agent's own credential (downloads of builds)
 * @param agentParam the path parameter naming the agent the route acts on: that agent's scope
 *                   rule applies on top of the role (for example the server host's own agent is admin-only)
 * @param credential a named credential the route also accepts instead of a user's token (e.g. {@code metrics_scrape},
 *                   the Prometheus scrape token); {@link AccessFilter#credential} says how it is checked. Null = none.
 */
public record Rule(Role minimum, String openBecause, boolean agentCredential, String agentParam, String credential) implements RouteRole {

    /** No bearer token: the route authenticates by other means (a password, an enrollment token), or is public. */
    public static Rule open(String because) {
        return new Rule(null, Objects.requireNonNull(because), false, null, null);
    }

    /** A signed-in user with at least {@code minimum}. */
    public static Rule role(Role minimum) {
        return new Rule(Objects.requireNonNull(minimum), null, false, null, null);
    }

    /** This route acts on the agent named by path parameter {@code name}, so the agent's scope rule applies. */
    public Rule onAgent(String name) {
        return new Rule(minimum, openBecause, agentCredential, Objects.requireNonNull(name), credential);
    }

    /** Agents may call it too, with their own credential ({@code Authorization: Bearer} + {@code X-GuruRMM-Agent-Id}). */
    public Rule orAgentCredential() {
        return new Rule(minimum, openBecause, true, agentParam, credential);
    }

    /** The route also accepts the credential named {@code name} (registered with {@link AccessFilter#credential}). */
    public Rule orCredential(String name) {
        return new Rule(minimum, openBecause, agentCredential, agentParam, Objects.requireNonNull(name));
    }

    public boolean isOpen() {
        return minimum == null;
    }

    public Optional<String> agentPathParam() {
        return Optional.ofNullable(agentParam);
    }

    /** For the OpenAPI document and logs, e.g. {@code technician (agent scope)}. */
    public String describe() {
        if (isOpen()) {
            return "open: " + openBecause;
        }
        return minimum.wireName() + (agentParam != null ? " (agent scope)" : "") + (agentCredential ? " or agent credential" : "")
                + (credential != null ? " or " + credential + " token" : "");
    }
}
