package com.gururmm.server.config;

import com.gururmm.server.auth.ClientAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;

/**
 * Every server setting, read once at start from the environment (SPEC section 2), validated,
 * and then immutable. {@link #describe()} renders it for the start-up log with secrets masked.
 *
 * @param httpHost interface to listen on
 * @param httpPort listen port; 0 picks a free one (tests)
 * @param dataDir server state: embedded database, local agent state
 * @param databaseUrl JDBC URL
 * @param databaseUser user for {@code databaseUrl}, if not in the URL
 * @param databasePassword password for {@code databaseUrl}, if not in the URL (secret)
 * @param downloadsDir agent binaries and their sidecars
 * @param adminEmail first admin's e-mail, used only when no user exists
 * @param adminPassword first admin's password (secret); empty means generate and print one
 * @param natsUrl NATS server for clustering; empty means single node
 * @param heartbeatInterval how often agents send a heartbeat
 * @param queuedCommandTtl how long a command waits for an offline agent before it fails as expired
 * @param agentLostGrace how long past its timeout a running command may stay silent before it fails
 * @param localAgent whether to start the server host's own agent: {@code auto} or {@code off}
 * @param localAgentJar the agent jar to start; empty means look beside the server jar
 * @param releaseSigningKeyFile Ed25519 key releases are signed with; empty means {@code <data dir>/release-signing.key}, created on first start
 * @param rolloutFailurePercent a release's rollout pauses itself when more than this share of the agents that took it failed
 * @param jwtKeyFile the HS256 key session tokens are signed with; empty means {@code <data dir>/jwt-signing.key}, created on
 *                   first start (a cluster points every node at one shared file)
 * @param trustedProxies comma-separated addresses or CIDR ranges of reverse proxies whose {@code X-Forwarded-For} is
 *                       believed for the client address (login throttle, audit); empty means none
 * @param mfaKeyFile the AES key TOTP secrets are sealed with; empty means {@code <data dir>/mfa-secret.key}, created on first
 *                   start (a cluster points every node at one shared file)
 * @param tlsCertFile PEM certificate chain to serve HTTPS with (with {@code tlsKeyFile}); empty means none
 * @param tlsKeyFile PEM private key (PKCS#8, or PKCS#1 RSA / SEC1 EC) of {@code tlsCertFile}
 * @param tlsSelfSigned serve HTTPS with a certificate generated once into the data dir ({@code tls-selfsigned.pem})
 * @param metricsTokenFile a file holding the bearer token Prometheus scrapes {@code GET /metrics} with; empty means
 *                         only admins' sessions can read it
 * @param logFormat {@code plain} (default) or {@code json} (one JSON object per line); logback reads the same variable
 * @param tunnel limits of interactive shells ({@code GURURMM_TUNNEL_*})
 * @param files limits of file transfer to and from agents ({@code GURURMM_FILES_*})
 * @param notifications notification retry schedule and timeouts ({@link NotificationSettings})
 * @param metricsRetentionDays how long metrics samples and rollups are kept ({@code GURURMM_METRICS_RETENTION_DAYS})
 * @param commandOutput limits of live command output ({@code GURURMM_COMMAND_OUTPUT_*})
 * @param oidc OpenID Connect single sign-on and {@code GURURMM_LOCAL_LOGIN} ({@link OidcSettings})
 * @param cluster node name and lease time in a cluster ({@code GURURMM_NODE_NAME}, {@code GURURMM_CLUSTER_LEASE_SECONDS})
 * @param pipeline the release pipeline's webhook secret, repository, branch and timeout ({@code GURURMM_PIPELINE_*})
 */
public record ServerConfig(
        String httpHost,
        int httpPort,
        Path dataDir,
        String databaseUrl,
        String databaseUser,
        String databasePassword,
        Path downloadsDir,
        String adminEmail,
        String adminPassword,
        String natsUrl,
        Duration heartbeatInterval,
        Duration queuedCommandTtl,
        Duration agentLostGrace,
        String localAgent,
        String localAgentJar,
        String releaseSigningKeyFile,
        int rolloutFailurePercent,
        String jwtKeyFile,
        String trustedProxies,
        String mfaKeyFile,
        String tlsCertFile,
        String tlsKeyFile,
        boolean tlsSelfSigned,
        String metricsTokenFile,
        String logFormat,
        com.gururmm.server.tunnel.TunnelSettings tunnel,
        NotificationSettings notifications,
        int metricsRetentionDays,
        com.gururmm.server.command.OutputSettings commandOutput,
        com.gururmm.server.files.FileSettings files,
        OidcSettings oidc,
        com.gururmm.server.cluster.ClusterSettings cluster,
        com.gururmm.server.pipeline.PipelineSettings pipeline) {

    public static ServerConfig fromEnvironment() {
        return fromMap(System.getenv());
    }

    public static ServerConfig fromMap(Map<String, String> env) {
        Reader r = new Reader(env);
        Path dataDir = Path.of(r.string("GURURMM_DATA_DIR", "./data")).toAbsolutePath().normalize();
        String databaseUrl = r.string("DATABASE_URL", "");
        if (databaseUrl.isEmpty()) {
            databaseUrl = "jdbc:h2:file:" + dataDir.resolve("gururmm")
                    + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH";
        } else {
            databaseUrl = JdbcUrls.normalise(databaseUrl);
        }
        databaseUrl = writeThrough(databaseUrl);
        String downloads = r.string("DOWNLOADS_DIR", "");
        Path downloadsDir = downloads.isEmpty() ? dataDir.resolve("downloads") : Path.of(downloads).toAbsolutePath().normalize();
        String localAgent = r.string("GURURMM_LOCAL_AGENT", "auto");
        if (!localAgent.equals("auto") && !localAgent.equals("off")) {
            throw new ConfigException("GURURMM_LOCAL_AGENT is '" + localAgent + "'; set it to 'auto' (start the server host's own agent) or 'off'.");
        }
        String email = r.string("GURURMM_ADMIN_EMAIL", "admin@gururmm.local");
        if (!email.contains("@")) {
            throw new ConfigException("GURURMM_ADMIN_EMAIL is '" + email + "', which is not an e-mail address; set it to the first admin's address.");
        }
        String password = r.string("GURURMM_ADMIN_PASSWORD", "");
        if (!password.isEmpty() && password.length() < 12) {
            throw new ConfigException("GURURMM_ADMIN_PASSWORD is shorter than 12 characters; choose a longer one, or unset it to have one generated.");
        }
        String trustedProxies = r.string("GURURMM_TRUSTED_PROXIES", "");
        try {
            ClientAddress.parseTrusted(trustedProxies);
        } catch (IllegalArgumentException e) {
            throw new ConfigException("GURURMM_TRUSTED_PROXIES: " + e.getMessage()
                    + " List the reverse proxies' addresses or CIDR ranges, comma-separated (e.g. 10.0.0.5,192.168.0.0/24), or unset it.");
        }
        String tlsCert = r.string("GURURMM_TLS_CERT_FILE", "");
        String tlsKey = r.string("GURURMM_TLS_KEY_FILE", "");
        String selfSigned = r.string("GURURMM_TLS_SELF_SIGNED", "false");
        if (!selfSigned.equals("true") && !selfSigned.equals("false")) {
            throw new ConfigException("GURURMM_TLS_SELF_SIGNED is '" + selfSigned + "'; set it to 'true' (HTTPS with a generated certificate) or 'false'.");
        }
        if (tlsCert.isEmpty() != tlsKey.isEmpty()) {
            throw new ConfigException("Only one of GURURMM_TLS_CERT_FILE and GURURMM_TLS_KEY_FILE is set; HTTPS needs both the PEM certificate"
                    + " and its PEM private key (or unset both).");
        }
        if (!tlsCert.isEmpty() && selfSigned.equals("true")) {
            throw new ConfigException("GURURMM_TLS_SELF_SIGNED=true and GURURMM_TLS_CERT_FILE are both set; choose the given certificate"
                    + " (unset GURURMM_TLS_SELF_SIGNED) or the generated one (unset the cert and key files).");
        }
        String logFormat = r.string("GURURMM_LOG_FORMAT", "plain");
        if (!logFormat.equals("plain") && !logFormat.equals("json")) {
            throw new ConfigException("GURURMM_LOG_FORMAT is '" + logFormat + "'; set it to 'plain' (the default) or 'json' (one JSON object per line).");
        }
        return new ServerConfig(
                r.string("GURURMM_HTTP_HOST", "0.0.0.0"),
                r.integer("GURURMM_HTTP_PORT", 3001, 0, 65535),
                dataDir,
                databaseUrl,
                r.string("DATABASE_USER", ""),
                r.string("DATABASE_PASSWORD", ""),
                downloadsDir,
                email,
                password,
                r.string("NATS_URL", ""),
                Duration.ofSeconds(r.integer("GURURMM_HEARTBEAT_SECONDS", 30, 1, 3600)),
                Duration.ofSeconds(r.integer("GURURMM_COMMAND_QUEUE_TTL_SECONDS", 24 * 3600, 1, 30 * 24 * 3600)),
                Duration.ofSeconds(r.integer("GURURMM_AGENT_LOST_GRACE_SECONDS", 120, 1, 24 * 3600)),
                localAgent,
                r.string("GURURMM_LOCAL_AGENT_JAR", ""),
                r.string("GURURMM_RELEASE_SIGNING_KEY_FILE", ""),
                r.integer("GURURMM_ROLLOUT_FAILURE_PERCENT", 20, 0, 100),
                r.string("GURURMM_JWT_KEY_FILE", ""),
                trustedProxies,
                r.string("GURURMM_MFA_KEY_FILE", ""),
                tlsCert,
                tlsKey,
                selfSigned.equals("true"),
                r.string("GURURMM_METRICS_TOKEN_FILE", ""),
                logFormat,
                com.gururmm.server.tunnel.TunnelSettings.fromMap(env),
                NotificationSettings.fromMap(env),
                r.integer("GURURMM_METRICS_RETENTION_DAYS", 30, 1, 3650),
                com.gururmm.server.command.OutputSettings.fromMap(env),
                com.gururmm.server.files.FileSettings.fromMap(env),
                OidcSettings.fromMap(env),
                com.gururmm.server.cluster.ClusterSettings.fromMap(env),
                com.gururmm.server.pipeline.PipelineSettings.fromMap(env));
    }

    /** Where the session-token signing key lives: the configured file, else {@code <data dir>/jwt-signing.key}. */
    public Path jwtKeyPath() {
        return jwtKeyFile.isEmpty() ? dataDir.resolve("jwt-signing.key") : Path.of(jwtKeyFile).toAbsolutePath().normalize();
    }

    /**
     * Makes an H2 file database write every commit through before the commit returns.
     *
     * <p>H2's MVStore keeps committed changes in memory and a background thread writes them
     * out every {@code WRITE_DELAY} ms (default 500): a commit that returned, and that the server
     * then acknowledged (HTTP 2xx, {@code result_ack}), was lost when the process died within that
     * window. With {@code WRITE_DELAY=0} there is no background writer and each transaction's
     * commit stores its chunk to the file (the OS) before returning, so a kill -9 loses nothing
     * that was acknowledged. (It is not an fsync: an OS crash or power cut can still lose the last
     * writes; PostgreSQL is the answer there.) An H2 URL that names its own WRITE_DELAY keeps it.
     *
     * <p>{@code REUSE_SPACE=FALSE}: H2 2.5.252 loses a commit it wrote into reused file space when
     * the process is killed (CrashDurabilityTest, variant {@code h2-space-reuse}: lost at the first
     * kill with reuse on, none in ten kills with it off), so the file is append-only and
     * {@code db.EmbeddedCompaction} compacts it from time to time.
     */
    static String writeThrough(String url) {
        if (!url.startsWith("jdbc:h2:") || url.startsWith("jdbc:h2:mem:")
                || url.toUpperCase(java.util.Locale.ROOT).contains(";WRITE_DELAY=")) {
            return url;
        }
        String upper = url.toUpperCase(java.util.Locale.ROOT);
        return url + ";WRITE_DELAY=0" + (upper.contains(";REUSE_SPACE=") ? "" : ";REUSE_SPACE=FALSE");
    }

    /** Where the MFA secret key lives: the configured file, else {@code <data dir>/mfa-secret.key}. */
    public Path mfaKeyPath() {
        return mfaKeyFile.isEmpty() ? dataDir.resolve("mfa-secret.key") : Path.of(mfaKeyFile).toAbsolutePath().normalize();
    }

    /** Whether the server answers HTTPS (and only HTTPS) on its port. */
    public boolean tls() {
        return tlsSelfSigned || !tlsCertFile.isEmpty();
    }

    public boolean embeddedDatabase() {
        return databaseUrl.startsWith("jdbc:h2:");
    }

    public Optional<String> nats() {
        return natsUrl.isEmpty() ? Optional.empty() : Optional.of(natsUrl);
    }

    /** Every effective setting, with secrets masked, in a stable order for the start-up log. */
    public Map<String, String> describe() {
        Map<String, String> out = new LinkedHashMap<>();
        out.put("GURURMM_HTTP_HOST", httpHost);
        out.put("GURURMM_HTTP_PORT", Integer.toString(httpPort));
        out.put("GURURMM_DATA_DIR", dataDir.toString());
        out.put("DATABASE_URL", JdbcUrls.maskPassword(databaseUrl));
        out.put("DATABASE_USER", databaseUser.isEmpty() ? "(from URL)" : databaseUser);
        out.put("DATABASE_PASSWORD", databasePassword.isEmpty() ? "(unset)" : "****");
        out.put("DOWNLOADS_DIR", downloadsDir.toString());
        out.put("GURURMM_ADMIN_EMAIL", adminEmail);
        out.put("GURURMM_ADMIN_PASSWORD", adminPassword.isEmpty() ? "(unset: generated on first start)" : "****");
        out.put("NATS_URL", natsUrl.isEmpty() ? "(unset: single node)" : JdbcUrls.maskPassword(natsUrl));
        out.put("GURURMM_HEARTBEAT_SECONDS", Long.toString(heartbeatInterval.toSeconds()));
        out.put("GURURMM_COMMAND_QUEUE_TTL_SECONDS", Long.toString(queuedCommandTtl.toSeconds()));
        out.put("GURURMM_AGENT_LOST_GRACE_SECONDS", Long.toString(agentLostGrace.toSeconds()));
        out.put("GURURMM_LOCAL_AGENT", localAgent);
        out.put("GURURMM_LOCAL_AGENT_JAR", localAgentJar.isEmpty() ? "(auto-detect)" : localAgentJar);
        out.put("GURURMM_RELEASE_SIGNING_KEY_FILE", releaseSigningKeyFile.isEmpty() ? "(data dir: release-signing.key)" : releaseSigningKeyFile);
        out.put("GURURMM_ROLLOUT_FAILURE_PERCENT", Integer.toString(rolloutFailurePercent));
        // The path only: the key itself is never logged.
        out.put("GURURMM_JWT_KEY_FILE", jwtKeyFile.isEmpty() ? "(data dir: jwt-signing.key)" : jwtKeyFile);
        out.put("GURURMM_TRUSTED_PROXIES", trustedProxies.isEmpty() ? "(unset: X-Forwarded-For is ignored)" : trustedProxies);
        out.put("GURURMM_MFA_KEY_FILE", mfaKeyFile.isEmpty() ? "(data dir: mfa-secret.key)" : mfaKeyFile);
        out.put("GURURMM_TLS_CERT_FILE", tlsCertFile.isEmpty() ? "(unset)" : tlsCertFile);
        out.put("GURURMM_TLS_KEY_FILE", tlsKeyFile.isEmpty() ? "(unset)" : tlsKeyFile);
        out.put("GURURMM_TLS_SELF_SIGNED", Boolean.toString(tlsSelfSigned));
        out.put("GURURMM_METRICS_TOKEN_FILE", metricsTokenFile.isEmpty() ? "(unset: only admin sessions read /metrics)" : metricsTokenFile);
        out.put("GURURMM_LOG_FORMAT", logFormat);
        out.putAll(tunnel.describe());
        notifications.describe(out);
        out.put("GURURMM_METRICS_RETENTION_DAYS", Integer.toString(metricsRetentionDays));
        out.putAll(commandOutput.describe());
        out.putAll(files.describe());
        oidc.describe(out);
        out.putAll(cluster.describe());
        out.putAll(pipeline.describe());
        return out;
    }

    public void log(Logger log) {
        describe().forEach((key, value) -> log.info("config {}={}", key, value));
    }

    /** Reads typed values and turns bad ones into messages that name the variable. */
    private record Reader(Map<String, String> env) {
        String string(String key, String fallback) {
            String value = env.get(key);
            return value == null || value.isBlank() ? fallback : value.trim();
        }

        int integer(String key, int fallback, int min, int max) {
            String value = string(key, "");
            if (value.isEmpty()) {
                return fallback;
            }
            try {
                int parsed = Integer.parseInt(value);
                if (parsed < min || parsed > max) {
                    throw new ConfigException(key + " is " + parsed + "; it must be between " + min + " and " + max + ".");
                }
                return parsed;
            } catch (NumberFormatException e) {
                throw new ConfigException(key + " is '" + value + "', which is not a whole number; set it to a number between " + min + " and " + max + ".");
            }
        }
    }
}
