package com.gururmm.server.pipeline;

import com.gururmm.server.config.ConfigException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The release pipeline's settings (docs/RELEASES.md, "Release pipeline"). The pipeline is off
 * unless a webhook secret file is set; the secret is read from a file so it never shows in the
 * process environment.
 *
 * @param secretFile {@code GURURMM_PIPELINE_SECRET_FILE}: the file holding the webhook's shared secret
 *                   (the forge's "secret" field); empty = the pipeline is off and the webhook answers 404
 * @param repository {@code GURURMM_PIPELINE_REPO}: what each build clones (a git URL or a path);
 *                   never taken from the payload, so a signed push cannot point the build elsewhere
 * @param branch     {@code GURURMM_PIPELINE_BRANCH} (default {@code main}): pushes to other branches are ignored
 * @param timeout    {@code GURURMM_PIPELINE_TIMEOUT_SECONDS} (default 3600): a build running longer is killed and failed
 */
public record PipelineSettings(String secretFile, String repository, String branch, Duration timeout) {
    /** A forge's secret shorter than this is too easy to guess. */
    static final int MIN_SECRET = 16;

    public static PipelineSettings fromMap(Map<String, String> env) {
        String secretFile = env.getOrDefault("GURURMM_PIPELINE_SECRET_FILE", "").trim();
        String repository = env.getOrDefault("GURURMM_PIPELINE_REPO", "").trim();
        String branch = env.getOrDefault("GURURMM_PIPELINE_BRANCH", "").trim();
        if (branch.isEmpty()) {
            branch = "main";
        }
        if (!branch.matches("[A-Za-z0-9._/-]{1,200}") || branch.startsWith("-") || branch.contains("..")) {
            throw new ConfigException("GURURMM_PIPELINE_BRANCH is '" + branch + "'; use a branch name such as main or release/1.x.");
        }
        if (!secretFile.isEmpty() && repository.isEmpty()) {
            throw new ConfigException("GURURMM_PIPELINE_SECRET_FILE is set but GURURMM_PIPELINE_REPO is not; set it to the git URL or path"
                    + " each build clones (the payload's own URL is never used).");
        }
        if (repository.startsWith("-")) {
            throw new ConfigException("GURURMM_PIPELINE_REPO is '" + repository + "'; it must be a git URL or a path, not an option.");
        }
        String seconds = env.getOrDefault("GURURMM_PIPELINE_TIMEOUT_SECONDS", "").trim();
        int timeout = 3600;
        if (!seconds.isEmpty()) {
            try {
                timeout = Integer.parseInt(seconds);
            } catch (NumberFormatException e) {
                throw new ConfigException("GURURMM_PIPELINE_TIMEOUT_SECONDS is '" + seconds
                        + "', which is not a whole number; set it to a number between 10 and 86400.");
            }
            if (timeout < 10 || timeout > 86400) {
                throw new ConfigException("GURURMM_PIPELINE_TIMEOUT_SECONDS is " + timeout + "; it must be between 10 and 86400.");
            }
        }
        return new PipelineSettings(secretFile, repository, branch, Duration.ofSeconds(timeout));
    }

    public boolean enabled() {
        return !secretFile.isEmpty();
    }

    /** The shared secret, read now (so a rotated file takes effect without a restart). */
    byte[] secret() {
        try {
            String value = Files.readString(Path.of(secretFile), StandardCharsets.UTF_8).strip();
            if (value.length() < MIN_SECRET) {
                throw new ConfigException("the webhook secret in " + secretFile + " is shorter than " + MIN_SECRET + " characters");
            }
            return value.getBytes(StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new ConfigException("cannot read the webhook secret GURURMM_PIPELINE_SECRET_FILE=" + secretFile + ": " + e.getMessage());
        }
    }

    public Map<String, String> describe() {
        Map<String, String> out = new LinkedHashMap<>();
        out.put("GURURMM_PIPELINE_SECRET_FILE", secretFile.isEmpty() ? "(unset: the release pipeline is off)" : secretFile);
        out.put("GURURMM_PIPELINE_REPO", repository.isEmpty() ? "(unset)" : repository.replaceFirst("//[^/@]+@", "//****@"));
        out.put("GURURMM_PIPELINE_BRANCH", branch);
        out.put("GURURMM_PIPELINE_TIMEOUT_SECONDS", Long.toString(timeout.toSeconds()));
        return out;
    }
}
