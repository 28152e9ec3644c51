package com.gururmm.server.pipeline;

import com.gururmm.protocol.Json;
import com.gururmm.protocol.api.Builds.Artifact;
import com.gururmm.protocol.api.Builds.BuildView;
import com.gururmm.protocol.api.Builds.Manifest;
import com.gururmm.protocol.api.Builds.WebhookResponse;
import com.gururmm.server.audit.AuditLog;
import com.gururmm.server.auth.Principal;
import com.gururmm.server.auth.Role;
import com.gururmm.server.db.Database;
import com.gururmm.server.http.ApiException;
import com.gururmm.server.release.ReleaseService;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The release pipeline (SPEC section 8): a verified push webhook queues a build of the pushed
 * commit; one build runs at a time (across nodes too: the queue is the {@code builds} table and
 * only the holder of the {@code pipeline} lease takes from it); what a good build made is
 * published into the downloads dir on {@code beta}, signed. A failed build publishes nothing.
 *
 * <p>Publishing: a file named like an agent build ({@code gururmm-agent-{os}-{arch}-{version}{ext}})
 * is published as a release (binary, {@code .sha256}, {@code .channel}=beta, {@code .sig},
 * {@code latest} link); an installer ({@code gururmm-*.deb|.rpm|.msi}) is copied beside them with
 * its {@code .sha256}; anything else (the server jar, say) is kept as a build artifact under
 * {@code <data dir>/pipeline/artifacts/<build id>/}. Every name is checked before the first file
 * is published, and a publish that fails half-way takes back what it had published.
 */
public final class PipelineService implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(PipelineService.class);
    static final Principal PIPELINE = new Principal(new UUID(0, 0), "pipeline", Role.ADMIN);
    /** {@code GET /api/builds/{id}} returns at most this much of the end of the log. */
    static final int LOG_TAIL = 1024 * 1024;

    private final PipelineSettings settings;
    private final BuildStore store;
    private final ReleaseService releases;
    private final AuditLog audit;
    private final Clock clock;
    private final Path root;
    private final String node;
    private final Supplier<Instant> databaseNow;
    private final Duration nodeStaleAfter;
    private final ExecutorService builder = Executors.newSingleThreadExecutor(Thread.ofPlatform().name("gururmm-build").daemon().factory());
    private volatile boolean building;

    public PipelineService(PipelineSettings settings, Database database, ReleaseService releases, AuditLog audit, Clock clock, Path dataDir,
                           String node, Supplier<Instant> databaseNow, Duration nodeStaleAfter) {
        this.settings = settings;
        this.store = new BuildStore(database.jdbi());
        this.releases = releases;
        this.audit = audit;
        this.clock = clock;
        this.root = dataDir.resolve("pipeline");
        this.node = node;
        this.databaseNow = databaseNow;
        this.nodeStaleAfter = nodeStaleAfter;
    }

    /** At start: builds this node was running when it last stopped failed (nothing of theirs was published). */
    public void start() {
        int abandoned = store.failAbandoned(node, databaseNow.get().minus(nodeStaleAfter), clock.instant());
        if (abandoned > 0) {
            log.warn("{} build(s) were running when this server last stopped; marked failed", abandoned);
        }
        // Work dirs of builds that died with the last run (no build runs before start returns).
        deleteTree(root.resolve("work"));
        if (settings.enabled()) {
            try {
                settings.secret();
            } catch (com.gururmm.server.config.ConfigException e) {
                log.error("the release pipeline is on but its webhook secret is not usable: {}; every delivery is refused with 503",
                        e.getMessage());
            }
        }
    }

    // ---- webhook --------------------------------------------------------------------------

    /** Verifies and records one delivery; queues a build for a push to the pipeline's branch. */
    public WebhookResponse webhook(Function<String, String> header, byte[] body) {
        if (!settings.enabled()) {
            throw new ApiException(404, "pipeline_off", "The release pipeline is off on this server: set GURURMM_PIPELINE_SECRET_FILE and"
                    + " GURURMM_PIPELINE_REPO (docs/RELEASES.md, \"Release pipeline\").");
        }
        byte[] secret;
        try {
            secret = settings.secret();
        } catch (com.gururmm.server.config.ConfigException e) {
            log.error("release pipeline webhook refused: {}", e.getMessage());
            throw new ApiException(503, "pipeline_misconfigured", "The release pipeline cannot check signatures: its secret file is"
                    + " missing, unreadable or too short (GURURMM_PIPELINE_SECRET_FILE); the server log says which.");
        }
        Webhook.Delivery delivery = Webhook.verify(header, body, secret);
        String bodyHash = com.gururmm.server.auth.Secrets.sha256Hex(body);
        Instant now = clock.instant();
        if (delivery.event().equals("ping")) {
            return new WebhookResponse("ignored", null, "ping: the webhook reaches the server and its signature is good");
        }
        if (!delivery.event().equals("push")) {
            return new WebhookResponse("ignored", null, "event '" + clip(delivery.event()) + "' is not a push");
        }
        Webhook.Push push = Webhook.push(body);
        String wanted = "refs/heads/" + settings.branch();
        String ignored = push.deleted() ? "the push deleted " + clip(push.ref())
                : !push.ref().equals(wanted) ? "the push is to " + clip(push.ref()) + ", not " + wanted + " (GURURMM_PIPELINE_BRANCH)" : null;
        UUID id = UUID.randomUUID();
        BuildStore.Row build = new BuildStore.Row(id, ignored == null ? push.after() : null, push.before(), push.ref(), delivery.source(),
                delivery.deliveryId(), push.pusher(), "queued", null, null, null, null, now, null, null);
        boolean accepted;
        try {
            accepted = store.acceptAndQueue(bodyHash, build);
        } catch (RuntimeException e) {
            if (!Database.isUniqueViolation(e)) {
                throw e;
            }
            accepted = false; // the same delivery, at the same moment, on another request
        }
        if (!accepted) {
            audit.record("pipeline", "pipeline.webhook_replayed", delivery.deliveryId(), "source=" + delivery.source());
            throw new ApiException(409, "replayed", "This webhook delivery (id " + delivery.deliveryId() + ", or the same signed body) was"
                    + " accepted before; a replay builds nothing. Push a new commit to build again.");
        }
        if (ignored != null) {
            audit.record("pipeline", "pipeline.webhook_ignored", delivery.deliveryId(), ignored);
            return new WebhookResponse("ignored", null, ignored);
        }
        audit.record("pipeline", "pipeline.build_queued", id.toString(), "commit=" + push.after() + " ref=" + push.ref() + " source="
                + delivery.source() + " delivery=" + delivery.deliveryId() + " pusher=" + push.pusher());
        log.info("build {} queued: commit {} pushed to {} ({})", id, push.after(), push.ref(), delivery.source());
        return new WebhookResponse("queued", id, null);
    }

    // ---- the queue ------------------------------------------------------------------------

    /** Scheduled (only on the holder of the {@code pipeline} lease): fails builds of dead nodes, starts the next queued build. */
    public void tick() {
        if (!settings.enabled() || building) {
            return;
        }
        store.failAbandoned(null, databaseNow.get().minus(nodeStaleAfter), clock.instant());
        store.claimNext(node, clock.instant()).ifPresent(row -> {
            building = true;
            builder.execute(() -> {
                try {
                    build(row);
                } finally {
                    building = false;
                }
            });
        });
    }

    private void build(BuildStore.Row row) {
        Path work = root.resolve("work").resolve(row.id().toString());
        Path logFile = logFile(row.id());
        long started = System.nanoTime();
        List<String> published = new ArrayList<>();
        try {
            Files.createDirectories(logFile.getParent());
            // The change gate diffs against the last build that published, not the push's "before": a
            // change whose build failed is then still built by the next push, whatever that one changed.
            // Before anything has published: against where the first build's push started.
            Optional<String> lastPublished = store.lastPublishedCommit();
            String base = lastPublished.orElseGet(() -> store.firstBuildBefore().orElse(null));
            Files.writeString(logFile, "==> change gate base: " + (base == null ? "none (a new branch, nothing published yet): everything"
                    : base + (lastPublished.isPresent() ? " (the last build that published)" : " (nothing has published yet: where the first"
                    + " build's push started)")) + "\n", StandardCharsets.UTF_8,
                    java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
            log.info("build {} started: commit {}, base {}", row.id(), row.commit(), base);
            BuildRunner.Outcome outcome = new BuildRunner(settings.repository(), settings.timeout()).run(row.commit(), base, work, logFile);
            store.components(row.id(), outcome.components());
            if (outcome.components().isEmpty()) {
                finish(row, "skipped", "the change gate found nothing to build (only paths that build nothing changed)", null, started);
                return;
            }
            Manifest manifest = publish(row, outcome, published);
            finish(row, "succeeded", null, Json.mapper().writeValueAsString(manifest), started);
        } catch (BuildRunner.BuildFailed e) {
            store.components(row.id(), BuildRunner.plan(work));
            fail(row, e.getMessage(), published, started);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            fail(row, "the server stopped during the build", published, started);
        } catch (IOException | RuntimeException e) {
            log.warn("build {} failed", row.id(), e);
            fail(row, e instanceof ApiException api ? api.getMessage() : e.toString(), published, started);
        } finally {
            deleteTree(work);
        }
    }

    /** Checks every artifact's name first, then publishes them; {@code published} collects what went out, for a take-back. */
    private Manifest publish(BuildStore.Row row, BuildRunner.Outcome outcome, List<String> published) throws IOException, BuildRunner.BuildFailed {
        for (Path artifact : outcome.artifacts()) {
            String name = artifact.getFileName().toString();
            boolean toDownloads = ReleaseService.isReleaseName(name) || ReleaseService.isInstallerName(name);
            if (toDownloads && releases.exists(name)) {
                throw new BuildRunner.BuildFailed(name + " is already in the downloads dir; the build must stamp a higher version."
                        + " Nothing was published.");
            }
            if (!name.matches("[A-Za-z0-9][A-Za-z0-9._+~-]{0,250}")) {
                throw new BuildRunner.BuildFailed("the build made an artifact named '" + clip(name) + "', which is not a plain file name");
            }
            if (Files.size(artifact) == 0) {
                throw new BuildRunner.BuildFailed("the build made an empty " + name + "; nothing was published");
            }
        }
        List<Artifact> artifacts = new ArrayList<>();
        Path kept = root.resolve("artifacts").resolve(row.id().toString());
        for (Path artifact : outcome.artifacts()) {
            String name = artifact.getFileName().toString();
            long size = Files.size(artifact);
            if (ReleaseService.isReleaseName(name)) {
                try (InputStream in = Files.newInputStream(artifact)) {
                    var view = releases.publish(PIPELINE, name, "beta", null, in, size);
                    published.add(name);
                    artifacts.add(new Artifact(name, view.sha256(), size, view.channel(), true));
                }
            } else if (ReleaseService.isInstallerName(name)) {
                String sha = releases.publishInstaller(PIPELINE, name, artifact);
                published.add(name);
                artifacts.add(new Artifact(name, sha, size, null, true));
            } else {
                Files.createDirectories(kept);
                String sha = sha256(artifact);
                Files.move(artifact, kept.resolve(name));
                artifacts.add(new Artifact(name, sha, size, null, false));
            }
        }
        return new Manifest(row.commit(), outcome.version(), outcome.components(), artifacts);
    }

    private void fail(BuildStore.Row row, String why, List<String> published, long started) {
        for (String file : published.reversed()) {
            try {
                releases.withdraw(PIPELINE, file, "build " + row.id() + " failed after publishing it");
            } catch (RuntimeException e) {
                log.error("build {} failed and {} could not be taken back from the downloads dir: {}", row.id(), file, e.toString());
            }
        }
        deleteTree(root.resolve("artifacts").resolve(row.id().toString()));
        try {
            Files.writeString(logFile(row.id()), "==> build failed: " + why + "\n", StandardCharsets.UTF_8,
                    java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
        } catch (IOException ignored) {
            // the reason is in the builds row as well
        }
        finish(row, "failed", why, null, started);
    }

    private void finish(BuildStore.Row row, String status, String why, String manifest, long started) {
        long ms = Duration.ofNanos(System.nanoTime() - started).toMillis();
        store.finish(row.id(), status, why, manifest, clock.instant());
        audit.record("pipeline", "pipeline.build_" + status, row.id().toString(), "commit=" + row.commit() + " duration_ms=" + ms
                + (why == null ? "" : " reason=" + why));
        log.info("build {} {} in {} ms{}", row.id(), status, ms, why == null ? "" : ": " + why);
    }

    // ---- reads ----------------------------------------------------------------------------

    public List<BuildView> list(int limit) {
        return store.list(limit).stream().map(row -> view(row, false)).toList();
    }

    public BuildView get(UUID id) {
        return view(store.find(id).orElseThrow(() -> ApiException.notFound("build", id)), true);
    }

    private BuildView view(BuildStore.Row row, boolean withLog) {
        Manifest manifest = null;
        if (row.manifest() != null) {
            try {
                manifest = Json.mapper().readValue(row.manifest(), Manifest.class);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        String logText = null;
        Boolean truncated = null;
        if (withLog) {
            Path file = logFile(row.id());
            try {
                if (Files.isRegularFile(file)) {
                    long size = Files.size(file);
                    try (var channel = java.nio.channels.FileChannel.open(file)) {
                        long from = Math.max(0, size - LOG_TAIL);
                        channel.position(from);
                        logText = new String(java.nio.channels.Channels.newInputStream(channel).readNBytes(LOG_TAIL), StandardCharsets.UTF_8);
                        truncated = from > 0;
                    }
                } else {
                    logText = "";
                    truncated = false;
                }
            } catch (IOException e) {
                logText = "(the log could not be read: " + e.getMessage() + ")";
                truncated = false;
            }
        }
        Instant end = row.finishedAt();
        Long duration = row.startedAt() == null ? null : Duration.between(row.startedAt(), end != null ? end : clock.instant()).toMillis();
        List<String> components = row.components() == null ? List.of()
                : Arrays.stream(row.components().split(" ")).filter(s -> !s.isEmpty()).toList();
        return new BuildView(row.id(), row.commit(), row.before(), row.ref(), row.source(), row.pusher(), row.status(), components, row.error(),
                row.createdAt(), row.startedAt(), end, duration, row.node(), manifest, logText, truncated);
    }

    private Path logFile(UUID id) {
        return root.resolve("logs").resolve(id + ".log");
    }

    @Override
    public void close() {
        builder.shutdownNow();
        try {
            builder.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // ---- helpers --------------------------------------------------------------------------

    private static String clip(String value) {
        String v = value == null ? "" : value.replaceAll("\\p{Cntrl}", "?");
        return v.length() <= 80 ? v : v.substring(0, 80) + "...";
    }

    private static String sha256(Path file) throws IOException {
        MessageDigest digest = digest();
        try (InputStream in = new java.security.DigestInputStream(Files.newInputStream(file), digest)) {
            in.transferTo(java.io.OutputStream.nullOutputStream());
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    private static MessageDigest digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

    private static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    log.debug("could not delete {}: {}", p, e.toString());
                }
            });
        } catch (IOException e) {
            log.warn("could not clean up {}: {}", dir, e.toString());
        }
    }
}
