package com.gururmm.protocol.wire;

import java.util.List;

/**
 * What an agent reports about its machine at connect and whenever it changes.
 *
 * @param health problems the agent found with itself, e.g. a state directory it cannot write
 */
public record Inventory(
        String hostname,
        String os,
        String osVersion,
        String arch,
        String agentVersion,
        String channel,
        String machineUid,
        String deviceId,
        List<String> ipAddresses,
        List<String> loggedOnUsers,
        Health health) {

    /** Self-reported health flags. An empty problem list means healthy. */
    public record Health(boolean stateDirWritable, List<String> problems) {
        public static Health ok() {
            return new Health(true, List.of());
        }
    }
}
