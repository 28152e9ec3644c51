package com.gururmm.agent;

import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;

/**
 * Agent settings (SPEC section 3a), from environment variables, or else from the config file
 * {@code agent.conf} in the state dir (or {@code GURURMM_CONFIG_FILE}), a Java properties
 * file with the same keys. The environment wins.
 *
 * @param enrollmentToken     {@code GURURMM_ENROLLMENT_TOKEN}, the plain value (stays in this process's environment)
 * @param enrollmentTokenFile {@code GURURMM_ENROLLMENT_TOKEN_FILE}, a file holding the token, deleted after enrollment;
 *                            null if unset (see {@link com.gururmm.agent.state.EnrollmentToken})
 * @param machineIdFile where the machine id is read on Linux; tests point it at a fixture
 * @param serverFingerprint {@code GURURMM_SERVER_FINGERPRINT}: the SHA-256 of the server's TLS certificate to pin (64 lower-case hex
 *                          digits), or null: the pin kept in the state dir, else the system trust store
 *                          ({@link com.gururmm.agent.link.ServerTrust})
 * @param allowInsecureHttp {@code GURURMM_ALLOW_INSECURE_HTTP=true}: plain http:// to a host that is not loopback
 * @param metricsInterval {@code GURURMM_METRICS_INTERVAL_SECONDS} (default 60, 1..3600): how often metrics are sampled
 * @param metricsBufferSamples {@code GURURMM_METRICS_BUFFER_SAMPLES} (default 1440, 24 h at the default interval): unsent samples
 *                             kept while offline; past it the oldest are dropped
 */
public record AgentConfig(
        URI serverUrl,
        String enrollmentToken,
        Path enrollmentTokenFile,
        Path stateDir,
        String channel,
        Path machineIdFile,
        String versionOverride,
        String serverFingerprint,
        boolean allowInsecureHttp,
        java.time.Duration metricsInterval,
        int metricsBufferSamples) {

    /**
     * Every {@code GURURMM_*} setting: the config file's keys overlaid with the environment's
     * (features with settings of their own, such as the inventory schedule, read them here).
     */
    public static Map<String, String> settings(Map<String, String> environment) {
        Map<String, String> settings = new HashMap<>();
        String stateDir = nonBlank(environment.get("GURURMM_STATE_DIR"), defaultStateDir());
        Path configFile = Path.of(nonBlank(environment.get("GURURMM_CONFIG_FILE"), Path.of(stateDir, "agent.conf").toString()));
        if (Files.isRegularFile(configFile)) {
            Properties properties = new Properties();
            try (Reader reader = Files.newBufferedReader(configFile, StandardCharsets.UTF_8)) {
                properties.load(reader);
            } catch (IOException e) {
                throw new IllegalArgumentException("cannot read config file " + configFile + ": " + e.getMessage(), e);
            }
            properties.forEach((k, v) -> settings.put(k.toString().trim(), v.toString().trim()));
        }
        environment.forEach((k, v) -> {
            if (k.startsWith("GURURMM_") && v != null && !v.isBlank()) {
                settings.put(k, v.trim());
            }
        });
        return settings;
    }

    public static AgentConfig load(Map<String, String> environment) {
        Map<String, String> settings = settings(environment);
        String stateDir = nonBlank(environment.get("GURURMM_STATE_DIR"), defaultStateDir());
        String url = settings.get("GURURMM_SERVER_URL");
        if (url == null) {
            throw new IllegalArgumentException("GURURMM_SERVER_URL is not set; set it to the server's address, e.g. http://127.0.0.1:3001");
        }
        URI serverUrl;
        try {
            serverUrl = URI.create(url.endsWith("/") ? url.substring(0, url.length() - 1) : url);
            if (!"http".equals(serverUrl.getScheme()) && !"https".equals(serverUrl.getScheme())) {
                throw new IllegalArgumentException("scheme");
            }
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("GURURMM_SERVER_URL '" + url + "' is not an http(s) URL; use e.g. http://127.0.0.1:3001");
        }
        String insecure = settings.getOrDefault("GURURMM_ALLOW_INSECURE_HTTP", "false");
        if (!insecure.equals("true") && !insecure.equals("false")) {
            throw new IllegalArgumentException("GURURMM_ALLOW_INSECURE_HTTP is '" + insecure + "'; use true or false");
        }
        com.gururmm.agent.link.ServerTrust.checkUrl(serverUrl, insecure.equals("true"));
        String fingerprint = settings.get("GURURMM_SERVER_FINGERPRINT");
        if (fingerprint != null) {
            fingerprint = com.gururmm.agent.link.ServerTrust.normalizeFingerprint(fingerprint);
            if (!"https".equals(serverUrl.getScheme())) {
                throw new IllegalArgumentException("GURURMM_SERVER_FINGERPRINT is set but GURURMM_SERVER_URL " + serverUrl
                        + " is not https://; a fingerprint pins a TLS certificate, so use the server's https:// URL");
            }
        }
        String channel = settings.getOrDefault("GURURMM_CHANNEL", "stable");
        if (!channel.equals("stable") && !channel.equals("beta")) {
            throw new IllegalArgumentException("GURURMM_CHANNEL is '" + channel + "'; use stable or beta");
        }
        String tokenFile = settings.get("GURURMM_ENROLLMENT_TOKEN_FILE");
        return new AgentConfig(serverUrl,
                settings.get("GURURMM_ENROLLMENT_TOKEN"),
                tokenFile == null ? null : Path.of(tokenFile).toAbsolutePath(),
                Path.of(nonBlank(settings.get("GURURMM_STATE_DIR"), stateDir)).toAbsolutePath(),
                channel,
                Path.of(settings.getOrDefault("GURURMM_MACHINE_ID_FILE", "/etc/machine-id")),
                settings.get("GURURMM_AGENT_VERSION"),
                fingerprint,
                insecure.equals("true"),
                java.time.Duration.ofSeconds(integer(settings, "GURURMM_METRICS_INTERVAL_SECONDS", 60, 1, 3600)),
                integer(settings, "GURURMM_METRICS_BUFFER_SAMPLES", 1440, 10, 1_000_000));

    }

    /** The agent's own version: the build's, unless overridden (the simulator and update tests do). */
    public String agentVersion() {
        if (versionOverride != null && !versionOverride.isBlank()) {
            return versionOverride;
        }
        return buildVersion();
    }

    /** The version this jar was built as. */
    public static String buildVersion() {
        try (InputStream in = AgentConfig.class.getResourceAsStream("/gururmm-agent.properties")) {
            if (in != null) {
                Properties p = new Properties();
                p.load(in);
                String v = p.getProperty("version");
                if (v != null && !v.startsWith("$")) {
                    return v;
                }
            }
        } catch (IOException ignored) {
            // fall through
        }
        return "0.0.0-dev";
    }

    private static String defaultStateDir() {
        String os = System.getProperty("os.name").toLowerCase();
        if (os.startsWith("windows")) {
            String programData = System.getenv().getOrDefault("ProgramData", "C:\\ProgramData");
            return Path.of(programData, "GuruRMM").toString();
        }
        if (os.startsWith("mac")) {
            return "/Library/Application Support/GuruRMM";
        }
        return "/var/lib/gururmm";
    }

    private static int integer(Map<String, String> settings, String key, int fallback, int min, int max) {
        String value = settings.get(key);
        if (value == null || value.isBlank()) {
            return fallback;
        }
        try {
            int parsed = Integer.parseInt(value.trim());
            if (parsed >= min && parsed <= max) {
                return parsed;
            }
        } catch (NumberFormatException ignored) {
            // the message below
        }
        throw new IllegalArgumentException(key + " is '" + value + "'; set it to a whole number between " + min + " and " + max);
    }

    private static String nonBlank(String value, String fallback) {
        return value == null || value.isBlank() ? fallback : value.trim();
    }
}
