package com.gururmm.testkit;

import com.gururmm.client.GuruClient;
import com.gururmm.protocol.api.EnrollmentTokens.CreateRequest;
import com.gururmm.server.GuruServer;
import com.gururmm.server.config.ServerConfig;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * A real GuruRMM server in this JVM, on a free port, with its own data dir and database.
 * {@link #restart()} stops it and starts it again on the same port and database, as an
 * operator restarting the service would.
 */
public final class TestServer implements AutoCloseable {
    public static final String ADMIN_EMAIL = "admin@example.test";
    public static final String ADMIN_PASSWORD = "correct horse battery staple";

    private final TestDatabase database;
    private final Path dataDir;
    private final Map<String, String> extraEnv;
    private GuruServer server;
    private int port;

    private TestServer(TestDatabase database, Map<String, String> extraEnv) throws IOException {
        this.database = database;
        this.dataDir = Files.createTempDirectory("gururmm-server-");
        this.extraEnv = extraEnv;
    }

    /** Heartbeat 1 s and agent-lost grace 3 s, so liveness and fault tests finish quickly. */
    public static TestServer start(TestDatabase.Kind kind) {
        return start(kind, Map.of());
    }

    public static TestServer start(TestDatabase.Kind kind, Map<String, String> env) {
        TestDatabase db = TestDatabase.create(kind);
        try {
            TestServer ts = new TestServer(db, env);
            ts.boot(0);
            return ts;
        } catch (IOException e) {
            db.close();
            throw new IllegalStateException(e);
        }
    }

    /**
     * A server whose data dir and (empty) database exist but which is not started: for a restore
     * before its first start. {@link #startOn} starts it.
     */
    public static TestServer prepare(TestDatabase.Kind kind, Map<String, String> env) {
        TestDatabase db = TestDatabase.create(kind);
        try {
            return new TestServer(db, env);
        } catch (IOException e) {
            db.close();
            throw new IllegalStateException(e);
        }
    }

    /** Starts a {@link #prepare prepared} server on {@code port} (0: any free port). */
    public TestServer startOn(int port) {
        boot(port);
        return this;
    }

    /** The settings the server runs with, for its own commands ({@code backup}, {@code restore}: {@link ServerProcess#command}). */
    public Map<String, String> environment() {
        return environment(port);
    }

    private Map<String, String> environment(int requestedPort) {
        Map<String, String> env = new HashMap<>();
        env.put("GURURMM_HTTP_HOST", "127.0.0.1");
        env.put("GURURMM_HTTP_PORT", Integer.toString(requestedPort));
        env.put("GURURMM_DATA_DIR", dataDir.toString());
        env.put("DATABASE_URL", database.jdbcUrl());
        env.put("GURURMM_ADMIN_EMAIL", ADMIN_EMAIL);
        env.put("GURURMM_ADMIN_PASSWORD", ADMIN_PASSWORD);
        env.put("GURURMM_HEARTBEAT_SECONDS", "1");
        env.put("GURURMM_AGENT_LOST_GRACE_SECONDS", "3");
        env.put("GURURMM_LOCAL_AGENT", "off");
        env.putAll(extraEnv);
        return env;
    }

    private void boot(int requestedPort) {
        server = GuruServer.start(ServerConfig.fromMap(environment(requestedPort)));
        server.ensureFirstAdmin();
        port = server.port();
    }

    public void restart() {
        server.close();
        boot(port);
    }

    public void stop() {
        server.close();
    }

    public void startAgain() {
        boot(port);
    }

    /** {@code https://} when the server was started with GURURMM_TLS_* settings. */
    public URI url() {
        return URI.create((server.tls().isPresent() ? "https" : "http") + "://127.0.0.1:" + port);
    }

    /** The SHA-256 fingerprint of the server's TLS certificate; null when it speaks plain HTTP. */
    public String fingerprint() {
        return server.tls().map(c -> c.fingerprint()).orElse(null);
    }

    public int port() {
        return port;
    }

    public GuruServer server() {
        return server;
    }

    /** The server's data dir (GURURMM_DATA_DIR). */
    public Path dataDir() {
        return dataDir;
    }

    public TestDatabase database() {
        return database;
    }

    /** A client logged in as the first admin. */
    public GuruClient adminClient() {
        GuruClient client = anonymousClient();
        client.login(ADMIN_EMAIL, ADMIN_PASSWORD);
        return client;
    }

    /** Over HTTPS it trusts this server's certificate by its fingerprint, as an operator would pin it. */
    public GuruClient anonymousClient() {
        return new GuruClient(url(), null, fingerprint());
    }

    /** A fresh enrollment token (unlimited uses, 1 h). */
    public String enrollmentToken() {
        return adminClient().createEnrollmentToken(new CreateRequest(null, 1, null)).token();
    }

    @Override
    public void close() {
        try {
            if (server != null) {
                server.close();
            }
        } finally {
            database.close();
        }
    }
}
