package com.gururmm.server.release;

import com.gururmm.protocol.api.Releases.AgentCounts;
import com.gururmm.protocol.api.Releases.CleanupRequest;
import com.gururmm.protocol.api.Releases.CleanupResult;
import com.gururmm.protocol.api.Releases.KeptFile;
import com.gururmm.protocol.api.Releases.ReleaseView;
import com.gururmm.protocol.api.Releases.Rollout;
import com.gururmm.protocol.api.Releases.RolloutRequest;
import com.gururmm.protocol.api.Releases.SigningKey;
import com.gururmm.protocol.release.ReleaseName;
import com.gururmm.server.audit.AuditLog;
import com.gururmm.server.auth.Principal;
import com.gururmm.server.http.ApiException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/** The rules behind {@code /api/releases}: listing, the offered release, publish, re-tag, rollout, sign, cleanup. */
public final class ReleaseService {
    private static final Pattern SHA256 = Pattern.compile("[0-9a-fA-F]{64}");
    private static final Set<String> CHANNELS = Set.of("stable", "beta");
    private static final int DEFAULT_KEEP = 3;

    private final DownloadsScanner scanner;
    private final ReleaseFiles files;
    private final ReleaseSigner signer;
    private final RolloutStore rollouts;
    private final UpdateStore updates;
    private final AuditLog audit;
    private final Clock clock;

    ReleaseService(DownloadsScanner scanner, ReleaseFiles files, ReleaseSigner signer, RolloutStore rollouts, UpdateStore updates,
                   AuditLog audit, Clock clock) {
        this.scanner = scanner;
        this.files = files;
        this.signer = signer;
        this.rollouts = rollouts;
        this.updates = updates;
        this.audit = audit;
        this.clock = clock;
    }

    public List<ReleaseView> list() {
        return list(com.gururmm.server.auth.Scope.ALL);
    }

    /** Builds are fleet-wide; their agent counts cover only the agents within {@code scope}. */
    public List<ReleaseView> list(com.gururmm.server.auth.Scope scope) {
        ReleaseCatalog catalog = scanner.catalog();
        Map<String, Rollout> rolloutByFile = rollouts.all();
        Map<String, Integer> running = updates.runningByPlatformVersion(scope);
        Map<String, int[]> pendingFailed = updates.pendingAndFailedByFile(scope);
        return catalog.releases().stream().map(r -> view(r, rolloutByFile, running, pendingFailed)).toList();
    }

    public ReleaseView latest(String os, String arch, String channel) {
        return latest(os, arch, channel, com.gururmm.server.auth.Scope.ALL);
    }

    public ReleaseView latest(String os, String arch, String channel, com.gururmm.server.auth.Scope scope) {
        String o = oneOf(os, "os", ReleaseName.OS_NAMES);
        String a = oneOf(arch, "arch", ReleaseName.ARCH_NAMES);
        String c = channel == null || channel.isBlank() ? "stable" : oneOf(channel, "channel", List.copyOf(CHANNELS));
        Release release = scanner.catalog().latest(o, a, c).orElseThrow(() -> new ApiException(404, "not_found",
                "No " + c + " release for " + o + "-" + a + " is in the downloads dir; publish one (POST /api/releases)"
                        + (c.equals("stable") ? " and promote it to stable." : ".")));
        return view(release, rollouts.all(), updates.runningByPlatformVersion(scope), updates.pendingAndFailedByFile(scope));
    }

    public SigningKey signingKey() {
        return signer.describe();
    }

    public ReleaseView publish(Principal actor, String file, String channel, String sha256, InputStream body, long contentLength) {
        ReleaseName name = parseName(file);
        String c = channel == null || channel.isBlank() ? "beta" : oneOf(channel, "channel", List.copyOf(CHANNELS));
        if (sha256 != null && !sha256.isBlank() && !SHA256.matcher(sha256).matches()) {
            throw ApiException.badRequest("'sha256' is '" + truncate(sha256) + "'; send the build's SHA-256 as 64 hex digits, or leave it out.");
        }
        String hash;
        try {
            hash = files.publish(name, body, contentLength, sha256 == null || sha256.isBlank() ? null : sha256.toLowerCase(), c);
            files.relinkLatest(scanner.refresh());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + name.fileName() + " into the downloads dir " + scanner.dir(), e);
        }
        audit.record(actor.name(), "release.publish", name.fileName(), "channel=" + c + " sha256=" + hash);
        return require(name.fileName());
    }

    /** Installer names the downloads dir may hold beside the builds (SPEC section 6): {@code .deb}, {@code .rpm}, {@code .msi}. */
    private static final Pattern INSTALLER = Pattern.compile("gururmm-[A-Za-z0-9][A-Za-z0-9._+~-]{0,200}\\.(deb|rpm|msi)");

    public static boolean isInstallerName(String file) {
        return file != null && INSTALLER.matcher(file).matches();
    }

    public static boolean isReleaseName(String file) {
        return file != null && ReleaseName.parse(file).isPresent();
    }

    /** Whether the downloads dir already holds a file of this name (a build or an installer). */
    public boolean exists(String file) {
        return java.nio.file.Files.exists(scanner.dir().resolve(file), java.nio.file.LinkOption.NOFOLLOW_LINKS);
    }

    /** Copies an installer into the downloads dir with its {@code .sha256}; refuses a name that is taken. Returns the SHA-256. */
    public String publishInstaller(Principal actor, String file, java.nio.file.Path source) {
        if (!isInstallerName(file)) {
            throw ApiException.badRequest("'" + truncate(file) + "' is not an installer name (gururmm-*.deb, .rpm or .msi).");
        }
        String hash;
        try {
            hash = files.publishInstaller(file, source);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + " into the downloads dir " + scanner.dir(), e);
        }
        audit.record(actor.name(), "release.publish_installer", file, "sha256=" + hash);
        return hash;
    }

    /** Takes back a file this actor just published (a build or an installer) because the rest of its publish failed. */
    public void withdraw(Principal actor, String file, String why) {
        try {
            if (isReleaseName(file)) {
                files.delete(parseName(file));
                files.relinkLatest(scanner.refresh());
            } else if (isInstallerName(file)) {
                files.deleteInstaller(file);
            } else {
                return;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove " + file + " from the downloads dir " + scanner.dir(), e);
        }
        audit.record(actor.name(), "release.withdraw", file, why);
    }

    public ReleaseView setChannel(Principal actor, String file, String channel) {
        Release release = existing(file);
        String c = oneOf(channel, "channel", List.copyOf(CHANNELS));
        try {
            files.writeChannel(release.name(), c);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + release.file() + ".channel", e);
        }
        scanner.refresh();
        audit.record(actor.name(), "release.channel", release.file(), release.channel() + " -> " + c);
        return require(release.file());
    }

    public ReleaseView setRollout(Principal actor, String file, RolloutRequest request) {
        Release release = existing(file);
        Rollout current = rollouts.get(release.file());
        if (request.percent() == null && request.paused() == null) {
            throw ApiException.badRequest("Send 'percent' (0-100) and/or 'paused' (true or false).");
        }
        int percent = request.percent() == null ? current.percent() : request.percent();
        if (percent < 0 || percent > 100) {
            throw ApiException.badRequest("'percent' is " + percent + "; it must be between 0 and 100.");
        }
        boolean paused = request.paused() == null ? current.paused() : request.paused();
        String reason = paused ? (current.paused() && current.pauseReason() != null ? current.pauseReason() : "Paused by " + actor.name() + ".") : null;
        rollouts.put(release.file(), percent, paused, reason, actor.name(), clock.instant());
        audit.record(actor.name(), "release.rollout", release.file(), "percent=" + percent + " paused=" + paused);
        return require(release.file());
    }

    /** Signs a build that arrived without (or with a stale) signature, e.g. dropped in by a pipeline. */
    public ReleaseView sign(Principal actor, String file) {
        Release release = existing(file);
        if (release.sha256() == null) {
            throw ApiException.conflict(release.file() + " has no valid .sha256 (" + String.join(" ", release.problems())
                    + "); fix that first, the signature covers the hash.");
        }
        try {
            files.writeSignature(release.name(), release.sha256());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + release.file() + ".sig", e);
        }
        scanner.refresh();
        audit.record(actor.name(), "release.sign", release.file(), "sha256=" + release.sha256());
        return require(release.file());
    }

    /**
     * Removes old builds, per platform keeping the newest {@code keep} versions, always the newest
     * stable and the newest beta (SPEC section 6: stable agents and fresh installs must never be
     * stranded), and, unless {@code force}, every version an agent still reports running.
     */
    public CleanupResult cleanup(Principal actor, CleanupRequest request) {
        int keep = request.keep() == null ? DEFAULT_KEEP : request.keep();
        if (keep < 1 || keep > 1000) {
            throw ApiException.badRequest("'keep' is " + keep + "; keep at least the newest 1 and at most 1000 versions per platform.");
        }
        boolean force = Boolean.TRUE.equals(request.force());
        boolean dryRun = Boolean.TRUE.equals(request.dryRun());
        ReleaseCatalog catalog = scanner.refresh();
        Map<String, Integer> running = updates.runningByPlatformVersion();
        List<String> removed = new ArrayList<>();
        List<KeptFile> kept = new ArrayList<>();
        List<String> platforms = catalog.releases().stream().map(r -> r.name().platform()).distinct().toList();
        for (String platform : platforms) {
            List<Release> builds = catalog.ofPlatform(platform);
            // Versions, not files: one version may ship as several files (.exe and .jar), and every
            // file of the newest stable version must stay, whichever of them sorts first.
            String newestStable = builds.stream().filter(r -> r.stable() && r.offerable()).findFirst()
                    .map(r -> r.name().version().toString()).orElse(null);
            String newestBeta = builds.stream().filter(r -> r.channel().equals("beta") && r.offerable()).findFirst()
                    .map(r -> r.name().version().toString()).orElse(null);
            List<String> versionsNewestFirst = builds.stream().map(r -> r.name().version().toString()).distinct().toList();
            for (Release r : builds) {
                String version = r.name().version().toString();
                int agentsOnIt = running.getOrDefault(platform + "-" + version, 0);
                String reason = version.equals(newestStable) ? "newest stable version of " + platform
                        : version.equals(newestBeta) ? "newest beta version of " + platform
                        : versionsNewestFirst.indexOf(version) < keep ? "one of the newest " + keep + " versions of " + platform
                        : !force && agentsOnIt > 0 ? agentsOnIt + " agent(s) still run " + version + " (force to remove anyway)"
                        : null;
                if (reason != null) {
                    kept.add(new KeptFile(r.file(), reason));
                } else {
                    removed.add(r.file());
                }
            }
        }
        if (!dryRun) {
            for (String file : removed) {
                Release r = catalog.find(file).orElseThrow();
                try {
                    files.delete(r.name());
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot remove " + file + " from the downloads dir", e);
                }
                rollouts.delete(file);
                audit.record(actor.name(), "release.remove", file, force ? "cleanup (forced)" : "cleanup");
            }
            try {
                files.relinkLatest(scanner.refresh());
            } catch (IOException e) {
                throw new UncheckedIOException("cannot update the -latest links in " + scanner.dir(), e);
            }
        }
        return new CleanupResult(removed, kept, dryRun);
    }

    private ReleaseView require(String file) {
        Release release = scanner.refresh().find(file).orElseThrow(() -> ApiException.notFound("release", file));
        return view(release, rollouts.all(), updates.runningByPlatformVersion(), updates.pendingAndFailedByFile());
    }

    private Release existing(String file) {
        ReleaseName name = parseName(file);
        return scanner.refresh().find(name.fileName()).orElseThrow(() -> new ApiException(404, "not_found",
                "No release " + name.fileName() + " is in the downloads dir; GET /api/releases lists them."));
    }

    private static ReleaseView view(Release r, Map<String, Rollout> rolloutByFile, Map<String, Integer> running, Map<String, int[]> pendingFailed) {
        AgentCounts counts = UpdateStore.counts(running, pendingFailed, r.name().platform(), r.name().version().toString(), r.file());
        return new ReleaseView(r.file(), r.name().os(), r.name().arch(), r.name().version().toString(), r.channel(), r.sha256(), r.size(),
                r.signed(), r.offerable(), r.problems(), rolloutByFile.getOrDefault(r.file(), Rollout.FULL), counts);
    }

    static ReleaseName parseName(String file) {
        if (file == null || file.isBlank()) {
            throw ApiException.badRequest("'file' is required: the build's name, e.g. gururmm-agent-linux-amd64-1.2.0.jar.");
        }
        return ReleaseName.parse(file).orElseThrow(() -> ApiException.badRequest("'" + truncate(file)
                + "' is not a release file name; use gururmm-agent-{os}-{arch}-{version}{ext} with os windows, linux or macos,"
                + " arch amd64, arm64 or 386, a numeric version such as 1.2.0 (no leading zeros), and ext empty, .exe, .jar, .zip or .tar.gz."));
    }

    private static String oneOf(String value, String field, List<String> allowed) {
        if (value == null || !allowed.contains(value)) {
            throw ApiException.badRequest("'" + field + "' must be one of " + String.join(", ", allowed) + "; got "
                    + (value == null ? "nothing" : "'" + truncate(value) + "'") + ".");
        }
        return value;
    }

    private static String truncate(String value) {
        return value.length() > 80 ? value.substring(0, 80) + "..." : value;
    }
}
