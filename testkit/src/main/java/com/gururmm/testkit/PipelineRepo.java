package com.gururmm.testkit;

import com.gururmm.client.GuruClient;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * A throwaway git repository for release-pipeline tests, and the forge that pushes it: it holds
 * the project's shipped {@code deploy/build-pipeline/} driver ({@code build.sh}, {@code gate.sh},
 * {@code components.conf}) with the test's own {@code build-<component>.sh} scripts, and signs push
 * webhooks as GitHub ({@code X-Hub-Signature-256: sha256=...}) or Gitea ({@code X-Gitea-Signature}) do.
 */
public final class PipelineRepo {
    /** The shared webhook secret; {@link #secretFile} holds it for {@code GURURMM_PIPELINE_SECRET_FILE}. */
    public static final String SECRET = "pipeline-secret-for-tests-0123456789";

    private final Path dir;

    private PipelineRepo(Path dir) {
        this.dir = dir;
    }

    /**
     * Creates the repository in {@code dir} with a {@code pom.xml} of version {@code 1.4.0} (builds are
     * stamped {@code 1.4.<commit count>}) and one commit on {@code main}. {@code components} maps a
     * component to the body of its build script (it runs with {@code set -eu} in the checkout).
     */
    public static PipelineRepo create(Path dir, Map<String, String> components) throws IOException {
        PipelineRepo repo = new PipelineRepo(dir);
        Path scripts = dir.resolve("deploy/build-pipeline");
        Files.createDirectories(scripts);
        Path shipped = Path.of("..", "deploy", "build-pipeline").toAbsolutePath().normalize();
        for (String script : List.of("build.sh", "gate.sh", "components.conf")) {
            Files.copy(shipped.resolve(script), scripts.resolve(script));
        }
        Files.writeString(dir.resolve("pom.xml"), "<project>\n    <version>1.4.0</version>\n</project>\n");
        for (Map.Entry<String, String> c : components.entrySet()) {
            Files.writeString(scripts.resolve("build-" + c.getKey() + ".sh"), "#!/bin/sh\nset -eu\n" + c.getValue() + "\n");
        }
        repo.git("init", "-q", "-b", "main");
        repo.git("config", "user.email", "pipeline-test@example.test");
        repo.git("config", "user.name", "Pipeline Test");
        repo.git("add", "-A");
        repo.git("commit", "-q", "-m", "initial");
        return repo;
    }

    public Path dir() {
        return dir;
    }

    /** Writes the webhook secret into a file for {@code GURURMM_PIPELINE_SECRET_FILE}. */
    public static Path secretFile(Path dir) throws IOException {
        return Files.writeString(dir.resolve("webhook.secret"), SECRET + "\n");
    }

    /** Commits {@code content} at {@code path}; returns the commit id. */
    public String commit(String path, String content) throws IOException {
        Path file = dir.resolve(path);
        Files.createDirectories(file.getParent());
        Files.writeString(file, content + "\n");
        git("add", "-A");
        git("commit", "-q", "-m", "change " + path);
        return git("rev-parse", "HEAD").strip();
    }

    public String parent(String commit) {
        return git("rev-parse", commit + "^").strip();
    }

    /** The version build.sh stamps on {@code commit}: 1.4.(commit count). */
    public String versionOf(String commit) {
        return "1.4." + git("rev-list", "--count", commit).strip();
    }

    public String git(String... args) {
        List<String> command = new ArrayList<>(List.of("git", "-C", dir.toString()));
        command.addAll(List.of(args));
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", command) + " failed: " + out);
            }
            return out;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    // ---- the forge ------------------------------------------------------------------------

    /** A push payload in the shape GitHub and Gitea share; {@code before} null means a new branch. */
    public static String pushBody(String ref, String before, String after) {
        return "{\"ref\":\"" + ref + "\",\"before\":\"" + (before == null ? "0".repeat(40) : before) + "\",\"after\":\"" + after + "\","
                + "\"repository\":{\"full_name\":\"msp/gururmm\"},\"pusher\":{\"name\":\"tech\"},\"commits\":[]}";
    }

    /** GitHub's form of the signature: {@code sha256=} and the hex HMAC-SHA256 of the body. */
    public static String sign(String body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return "sha256=" + HexFormat.of().formatHex(mac.doFinal(body.getBytes(StandardCharsets.UTF_8)));
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Posts a delivery as {@code github} or {@code gitea} would (Gitea's signature is the bare hex);
     * a null {@code signature} or {@code delivery} leaves that header out.
     */
    public static GuruClient.RawResponse deliver(GuruClient client, String style, String body, String signature, String delivery) {
        boolean github = style.equals("github");
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Content-Type", "application/json");
        headers.put(github ? "X-GitHub-Event" : "X-Gitea-Event", "push");
        if (signature != null) {
            headers.put(github ? "X-Hub-Signature-256" : "X-Gitea-Signature",
                    !github && signature.startsWith("sha256=") ? signature.substring(7) : signature);
        }
        if (delivery != null) {
            headers.put(github ? "X-GitHub-Delivery" : "X-Gitea-Delivery", delivery);
        }
        return client.raw("POST", "/api/pipeline/webhook", body, headers);
    }
}
