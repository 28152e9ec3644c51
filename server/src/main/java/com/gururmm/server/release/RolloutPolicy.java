package com.gururmm.server.release;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.UUID;

/**
 * Who is in a staged rollout. Each agent gets a bucket 0..99 from a hash of (agent id, release
 * version); it is in when its bucket is below the percentage. The hash is stable, so raising the
 * percentage only ever adds agents, and a new version reshuffles who goes first, so the same
 * machines are not always the guinea pigs.
 */
final class RolloutPolicy {
    private RolloutPolicy() {
    }

    static int bucket(UUID agentId, String version) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest((agentId + "/" + version).getBytes(StandardCharsets.UTF_8));
            long value = ((digest[0] & 0xFFL) << 24) | ((digest[1] & 0xFFL) << 16) | ((digest[2] & 0xFFL) << 8) | (digest[3] & 0xFFL);
            return (int) (value % 100);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static boolean includes(UUID agentId, String version, int percent) {
        return bucket(agentId, version) < percent;
    }
}
