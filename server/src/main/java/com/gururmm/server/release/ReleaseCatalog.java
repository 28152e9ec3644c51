package com.gururmm.server.release;

import com.gururmm.protocol.release.Version;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * An immutable snapshot of the downloads dir and the offer rule of SPEC section 6:
 * a {@code beta} agent is offered the newest build for its platform whatever its tag, a
 * {@code stable} agent the newest {@code stable}-tagged one, and never a version older than or
 * equal to the one it runs. Builds without a valid {@code .sha256} are invisible to the rule.
 */
public record ReleaseCatalog(List<Release> releases) {
    /** Newest version first; within a version the {@code .jar} (what the Java agent installs) first. */
    private static final Comparator<Release> NEWEST_FIRST = Comparator.comparing((Release r) -> r.name().version()).reversed()
            .thenComparing((Release r) -> !r.file().endsWith(".jar"))
            .thenComparing(Release::file);

    public ReleaseCatalog {
        releases = releases.stream().sorted(Comparator.comparing((Release r) -> r.name().platform()).thenComparing(NEWEST_FIRST)).toList();
    }

    public Optional<Release> find(String file) {
        return releases.stream().filter(r -> r.file().equals(file)).findFirst();
    }

    /** Every build newer than {@code running} this agent may be offered, newest first (staged rollout picks among them). */
    public List<Release> candidates(String os, String arch, String channel, Version running) {
        boolean beta = "beta".equals(channel);
        return releases.stream()
                .filter(r -> r.name().os().equals(os) && r.name().arch().equals(arch))
                .filter(Release::offerable)
                .filter(r -> beta || r.stable())
                .filter(r -> r.name().version().isNewerThan(running))
                .sorted(NEWEST_FIRST)
                .toList();
    }

    /** What a fresh agent of this platform and channel would be offered ({@code GET /api/releases/latest}). */
    public Optional<Release> latest(String os, String arch, String channel) {
        return candidates(os, arch, channel, new Version(new int[] {0}, "")).stream().findFirst();
    }

    /** Newest build of a platform whatever its state: where the {@code -latest} link points. */
    public List<Release> ofPlatform(String platform) {
        return releases.stream().filter(r -> r.name().platform().equals(platform)).sorted(NEWEST_FIRST).toList();
    }
}
