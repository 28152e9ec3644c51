package com.gururmm.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.auth0.jwt.JWT;
import com.auth0.jwt.algorithms.Algorithm;
import com.gururmm.client.GuruClient;
import com.gururmm.server.GuruServer;
import com.gururmm.server.config.ServerConfig;
import com.gururmm.testkit.TestDatabase;
import com.gururmm.testkit.TestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.Base64;
import java.util.Map;
import java.util.UUID;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Issue 8, finding 3 (signing key): the session-token key lives in a 0600 file, not in the
 * database, so a dump of the database cannot be used to forge a token.
 */
@ParameterizedClass
@EnumSource(TestDatabase.Kind.class)
class SigningKeyTest {
    @Parameter
    TestDatabase.Kind kind;

    private static long keyRows(String jdbcUrl) throws Exception {
        try (Connection c = DriverManager.getConnection(jdbcUrl);
             PreparedStatement s = c.prepareStatement("SELECT COUNT(*) FROM server_keys");
             ResultSet rs = s.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @Test
    void theKeyIsA0600FileTheDatabaseHoldsNoneAndTokensSurviveARestart() throws Exception {
        try (TestServer server = TestServer.start(kind)) {
            GuruClient admin = server.adminClient();
            Path keyFile = server.server().config().jwtKeyPath();

            assertThat(keyRows(server.database().jdbcUrl())).as("no key material in the database").isZero();
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(keyFile))).isEqualTo("rw-------");
            assertThat(server.server().config().describe().get("GURURMM_JWT_KEY_FILE")).doesNotContain(Files.readString(keyFile).strip());

            server.restart();

            assertThat(admin.me().email()).as("a token from before the restart").isEqualTo(TestServer.ADMIN_EMAIL);
            assertThat(keyRows(server.database().jdbcUrl())).isZero();
        }
    }

    /** An installation from before the key moved: its database holds the old key, which must stop signing anything. */
    @Test
    void aTokenSignedWithTheOldDatabaseKeyIsRefusedAfterTheUpgrade() throws Exception {
        try (TestDatabase database = TestDatabase.create(kind)) {
            Flyway.configure().dataSource(database.jdbcUrl(), null, null).locations("classpath:db/migration").target("4").load().migrate();
            byte[] oldKey = new byte[32];
            new java.security.SecureRandom().nextBytes(oldKey);
            try (Connection c = DriverManager.getConnection(database.jdbcUrl());
                 PreparedStatement s = c.prepareStatement("INSERT INTO server_keys (name, secret, created_at) VALUES ('jwt-hs256', ?, ?)")) {
                s.setString(1, Base64.getEncoder().encodeToString(oldKey));
                s.setObject(2, OffsetDateTime.now());
                s.executeUpdate();
            }
            Path dataDir = Files.createTempDirectory("gururmm-upgrade-");
            ServerConfig config = ServerConfig.fromMap(Map.of("GURURMM_HTTP_HOST", "127.0.0.1", "GURURMM_HTTP_PORT", "0",
                    "GURURMM_DATA_DIR", dataDir.toString(), "DATABASE_URL", database.jdbcUrl(),
                    "GURURMM_ADMIN_EMAIL", TestServer.ADMIN_EMAIL, "GURURMM_ADMIN_PASSWORD", TestServer.ADMIN_PASSWORD,
                    "GURURMM_LOCAL_AGENT", "off"));
            try (GuruServer server = GuruServer.start(config)) {
                server.ensureFirstAdmin();
                java.net.URI url = java.net.URI.create("http://127.0.0.1:" + server.port());
                GuruClient admin = new GuruClient(url);
                admin.login(TestServer.ADMIN_EMAIL, TestServer.ADMIN_PASSWORD);
                var real = JWT.decode(admin.token());
                Instant now = Instant.now();
                String oldSigned = JWT.create().withIssuer("gururmm").withSubject(real.getSubject()).withJWTId(real.getId())
                        .withClaim("email", TestServer.ADMIN_EMAIL).withClaim("role", "admin")
                        .withIssuedAt(now).withExpiresAt(now.plusSeconds(3600)).sign(Algorithm.HMAC256(oldKey));

                assertThat(new GuruClient(url, oldSigned).raw("GET", "/api/users", null, Map.of()).status()).isEqualTo(401);
                assertThat(admin.raw("GET", "/api/users", null, Map.of()).status()).as("the control").isEqualTo(200);
                assertThat(keyRows(database.jdbcUrl())).as("the migration removed the old key").isZero();
            }
        }
    }
}
