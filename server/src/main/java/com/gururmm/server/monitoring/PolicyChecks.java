package com.gururmm.server.monitoring;

import java.util.List;
import java.util.UUID;

/**
 * Checks that policies bring to an agent (issue 12, the automation package), applied above the
 * fleet's checks and below its site's and its own: a site or agent check with the same key
 * still overrides a policy's. Held in memory by its owner, so resolving stays a map lookup
 * (it runs for every metric sample).
 */
public interface PolicyChecks {
    PolicyChecks NONE = new PolicyChecks() {
        @Override
        public List<Check> forAgent(UUID agentId) {
            return List.of();
        }

        @Override
        public boolean anyOfKind(String kind) {
            return false;
        }
    };

    List<Check> forAgent(UUID agentId);

    boolean anyOfKind(String kind);
}
