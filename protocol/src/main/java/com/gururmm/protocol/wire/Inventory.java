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

    /**
     * Self-reported health flags. An empty problem list means healthy.
     *
     * @param sandbox set when the agent runs in a restricted mount namespace (e.g. systemd's
     *                {@code ProtectSystem=strict}): what its commands see differently from the host
     */
    public record Health(boolean stateDirWritable, List<String> problems, String sandbox) {
        public Health(boolean stateDirWritable, List<String> problems) {
            this(stateDirWritable, problems, null);
        }

        public static Health ok() {
            return new Health(true, List.of(), null);
        }
    }
}
