package com.gururmm.protocol.api;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/** Shapes of the release pipeline's API: {@code POST /api/pipeline/webhook}, {@code GET /api/builds(/{id})}. */
public final class Builds {
    private Builds() {
    }

    /**
     * The webhook's answer. {@code status}: {@code queued} (a build was made: {@code buildId}),
     * {@code ignored} (not a push to the pipeline's branch, or a ping: {@code reason} says which).
     */
    public record WebhookResponse(String status, UUID buildId, String reason) {
    }

    /** One file a build published (or left as a build artifact), with its SHA-256. */
    public record Artifact(String file, String sha256, long size, String channel, boolean published) {
    }

    /**
     * The build manifest: what was built from which commit. {@code version} is the version the
     * build scripts stamped on what they built.
     */
    public record Manifest(String commit, String version, List<String> components, List<Artifact> artifacts) {
    }

    /**
     * One build. {@code status}: {@code queued}, {@code running}, {@code succeeded}, {@code failed},
     * {@code skipped} (the change gate found nothing to build). {@code components}: what the change
     * gate chose (empty until it ran). {@code log} is only in {@code GET /api/builds/{id}} (its last
     * {@code 1 MiB}; {@code logTruncated} says when earlier lines were left out).
     */
    public record BuildView(UUID id, String commit, String beforeCommit, String ref, String source, String pusher, String status,
                            List<String> components, String error, Instant createdAt, Instant startedAt, Instant finishedAt,
                            Long durationMs, String node, Manifest manifest, String log, Boolean logTruncated) {
    }
}
