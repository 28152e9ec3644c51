package com.gururmm.protocol.api;

import java.time.Instant;
import java.util.List;

/** Bodies of {@code /api/releases} (see {@code docs/RELEASES.md}). */
public final class Releases {
    private Releases() {
    }

    /**
     * One agent build in the downloads dir. {@code offerable} is false when the build can never be
     * offered (no valid {@code .sha256}, or the file does not match it); {@code problems} says why.
     */
    public record ReleaseView(
            String file,
            String os,
            String arch,
            String version,
            String channel,
            String sha256,
            long size,
            boolean signed,
            boolean offerable,
            List<String> problems,
            Rollout rollout,
            AgentCounts agents) {
    }

    /** Staged rollout of one release: {@code percent} of agents (by a stable hash) get it. */
    public record Rollout(int percent, boolean paused, String pauseReason, Instant updatedAt) {
        public static final Rollout FULL = new Rollout(100, false, null, null);
    }

    /** Agents running this release, waiting to take it (offered, in progress), and failed on it. */
    public record AgentCounts(int running, int pending, int failed) {
    }

    public record ChannelRequest(String channel) {
    }

    public record RolloutRequest(Integer percent, Boolean paused) {
    }

    /**
     * {@code keep}: newest versions to keep per platform (default 3). {@code force}: also remove
     * versions agents still run. {@code dry_run}: report only.
     */
    public record CleanupRequest(Integer keep, Boolean force, Boolean dryRun) {
    }

    public record CleanupResult(List<String> removed, List<KeptFile> kept, boolean dryRun) {
    }

    public record KeptFile(String file, String reason) {
    }

    public record SigningKey(String algorithm, String publicKey, String fingerprint) {
    }

    /** What an agent reports about its self-update, as shown in {@code GET /api/agents/{id}}. */
    public record UpdateState(
            String currentVersion,
            String targetVersion,
            String file,
            String state,
            String reason,
            Instant attemptedAt,
            Instant updatedAt) {
    }
}
