package com.gururmm.server.monitoring;

import com.gururmm.server.auth.Principal;
import java.util.UUID;

/**
 * The tenancy scope as monitoring needs it (wired to {@code tenancy.TenancyGuard} by GuruServer).
 * Checks and maintenance windows at site level name a site by its name (the agents' {@code site}
 * string), and site names are unique per client only: a site-level object is visible when some
 * site of that name is in the caller's scope, and may be changed by a scoped caller only when
 * every site of that name is (it applies to all of them).
 */
public interface Visibility {
    /** Everything visible, everything changeable (store tests, single-tenant wiring). */
    Visibility ALL = new Visibility() {
        @Override
        public boolean agent(Principal principal, UUID agentId) {
            return true;
        }

        @Override
        public boolean siteName(Principal principal, String site) {
            return true;
        }

        @Override
        public boolean wholeSiteName(Principal principal, String site) {
            return true;
        }
    };

    /** What concerns agent {@code agentId} (its alerts, checks, windows) is visible to {@code principal}. */
    boolean agent(Principal principal, UUID agentId);

    /** Some site named {@code site} is in {@code principal}'s scope. */
    boolean siteName(Principal principal, String site);

    /** At least one site is named {@code site} and every one of them is in {@code principal}'s scope. */
    boolean wholeSiteName(Principal principal, String site);
}
