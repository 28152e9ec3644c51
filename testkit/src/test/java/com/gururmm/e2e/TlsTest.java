package com.gururmm.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.gururmm.client.GuruApiException;
import com.gururmm.client.GuruClient;
import com.gururmm.protocol.Json;
import com.gururmm.protocol.api.Commands.CommandRequest;
import com.gururmm.protocol.api.Commands.CommandView;
import com.gururmm.testkit.AgentProcess;
import com.gururmm.testkit.TestDatabase;
import com.gururmm.testkit.TestServer;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.HexFormat;
import java.util.Map;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.awaitility.Awaitility.await;

/**
 * Issue 10, TLS: agents over HTTPS with a pinned self-signed certificate run a command end to end;
 * an agent pinned to another fingerprint refuses the server and says why; a server given a PEM
 * certificate and key (made here, RSA, PKCS#8) serves HTTPS that a client trusting that
 * certificate verifies, host name included.
 */
class TlsTest {
    @TempDir
    Path dir;

    @Test
    void agentPinnedToTheSelfSignedCertificateRunsACommandAndOnePinnedElsewhereRefuses() throws Exception {
        try (TestServer server = TestServer.start(TestDatabase.Kind.H2, Map.of("GURURMM_TLS_SELF_SIGNED", "true"))) {
            assertThat(server.url().getScheme()).isEqualTo("https");
            String fingerprint = server.fingerprint();
            assertThat(fingerprint).matches("([0-9A-F]{2}:){31}[0-9A-F]{2}");
            Path pem = server.dataDir().resolve("tls-selfsigned.pem");
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(pem))).isEqualTo("rw-------");

            // The fingerprint a client sees in the handshake is the one the server publishes.
            GuruClient.RawResponse info = server.anonymousClient().raw("GET", "/api/server/tls", null, Map.of());
            JsonNode tls = Json.mapper().readTree(info.body());
            assertThat(tls.get("enabled").asBoolean()).isTrue();
            assertThat(tls.get("self_signed").asBoolean()).isTrue();
            assertThat(tls.get("fingerprint_sha256").asText()).isEqualTo(fingerprint);

            // Without the pin, the system trust store refuses a self-signed server.
            assertThatThrownBy(() -> new GuruClient(server.url()).login(TestServer.ADMIN_EMAIL, TestServer.ADMIN_PASSWORD))
                    .isInstanceOfSatisfying(GuruApiException.class, e -> assertThat(e.status()).isZero());
            // Plain HTTP on the HTTPS port gets nowhere.
            GuruApiException plain = org.assertj.core.api.Assertions.catchThrowableOfType(GuruApiException.class,
                    () -> new GuruClient(URI.create("http://127.0.0.1:" + server.port())).me());
            assertThat(plain == null ? 400 : plain.status()).isNotEqualTo(200);

            GuruClient admin = server.adminClient();
            try (AgentProcess agent = AgentProcess.create(server.url(), server.enrollmentToken())
                    .env("GURURMM_SERVER_FINGERPRINT", fingerprint).start()) {
                var agentId = agent.awaitOnline(admin);
                CommandView done = admin.awaitCommand(admin.runCommand(agentId, new CommandRequest("sh", "echo over-tls", null, 30)).commandId(),
                        Duration.ofSeconds(30));
                assertThat(done.status()).isEqualTo("completed");
                assertThat(done.stdout()).isEqualTo("over-tls\n");
                // The pin is kept in the state dir, lower-case hex, so it survives the setting being removed.
                assertThat(Files.readString(agent.stateDir().resolve("server-fingerprint")).trim())
                        .isEqualTo(fingerprint.replace(":", "").toLowerCase());
            }

            String other = "ab".repeat(32);
            try (AgentProcess impostorVictim = AgentProcess.create(server.url(), server.enrollmentToken())
                    .env("GURURMM_SERVER_FINGERPRINT", other).start()) {
                await().atMost(Duration.ofSeconds(30)).until(() -> impostorVictim.log().contains("REFUSING the server"));
                assertThat(impostorVictim.log()).contains(fingerprint).contains("AB:AB:AB");
                assertThat(admin.agents()).hasSize(1); // only the first agent: the refusing one never enrolled
                assertThat(Files.exists(impostorVictim.stateDir().resolve("server-fingerprint"))).isFalse();
            }
        }
    }

    @Test
    void aGivenPemCertificateAndKeyServeHttpsVerifiedByNameAgainstThatCertificate() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        KeyPair pair = generator.generateKeyPair();
        X500Name name = new X500Name("CN=localhost");
        JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(name, BigInteger.valueOf(42),
                Date.from(Instant.now().minusSeconds(3600)), Date.from(Instant.now().plus(Duration.ofDays(2))), name, pair.getPublic());
        builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
                new GeneralName(GeneralName.dNSName, "localhost"), new GeneralName(GeneralName.iPAddress, "127.0.0.1")}));
        X509Certificate cert = new JcaX509CertificateConverter().getCertificate(
                builder.build(new JcaContentSignerBuilder("SHA256withRSA").build(pair.getPrivate())));
        Path certFile = dir.resolve("server.crt");
        Path keyFile = dir.resolve("server.key");
        try (JcaPEMWriter w = new JcaPEMWriter(Files.newBufferedWriter(certFile))) {
            w.writeObject(cert);
        }
        try (JcaPEMWriter w = new JcaPEMWriter(Files.newBufferedWriter(keyFile))) {
            w.writeObject(new org.bouncycastle.util.io.pem.PemObject("PRIVATE KEY", pair.getPrivate().getEncoded())); // PKCS#8
        }
        try (TestServer server = TestServer.start(TestDatabase.Kind.H2,
                Map.of("GURURMM_TLS_CERT_FILE", certFile.toString(), "GURURMM_TLS_KEY_FILE", keyFile.toString()))) {
            // A client that trusts this certificate as a CA would (trust store + host-name check, no pin).
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            trust.setCertificateEntry("server", cert);
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            SSLContext ssl = SSLContext.getInstance("TLS");
            ssl.init(null, tmf.getTrustManagers(), null);
            HttpClient http = HttpClient.newBuilder().sslContext(ssl).build();
            HttpResponse<String> health = http.send(HttpRequest.newBuilder(URI.create("https://localhost:" + server.port() + "/healthz")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(health.statusCode()).isEqualTo(200);
            assertThat(health.body()).contains("\"status\"");
            String expected = HexFormat.ofDelimiter(":").withUpperCase().formatHex(MessageDigest.getInstance("SHA-256").digest(cert.getEncoded()));
            assertThat(server.fingerprint()).isEqualTo(expected);
            JsonNode tls = Json.mapper().readTree(http.send(HttpRequest.newBuilder(URI.create("https://localhost:" + server.port()
                    + "/api/server/tls")).build(), HttpResponse.BodyHandlers.ofString()).body());
            assertThat(tls.get("self_signed").asBoolean()).isFalse();
            assertThat(tls.get("fingerprint_sha256").asText()).isEqualTo(expected);
            // The default trust store does not know this certificate.
            assertThatThrownBy(() -> HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("https://localhost:" + server.port()
                    + "/healthz")).build(), HttpResponse.BodyHandlers.ofString())).isInstanceOf(SSLHandshakeException.class);
        }
    }

    /** The packaged server with a self-signed certificate: the banner shows it, and its own agent connects over HTTPS, pinned. */
    @Test
    void theServerHostsOwnAgentConnectsOverHttpsPinnedToTheServersCertificate() throws Exception {
        try (com.gururmm.testkit.ServerProcess server = com.gururmm.testkit.ServerProcess.create(dir.resolve("data"), Map.of(
                "GURURMM_TLS_SELF_SIGNED", "true", "GURURMM_LOCAL_AGENT", "auto",
                "GURURMM_LOCAL_AGENT_JAR", ReleaseBuilds.agentJar().toString())).start()) {
            assertThat(server.log()).contains("URL:      https://127.0.0.1:");
            String fingerprint = server.fingerprint();
            assertThat(fingerprint).isNotNull();
            GuruClient admin = server.adminClient();
            await("local agent online over TLS (log: " + server.dataDir().resolve("local-agent.log") + ")").atMost(Duration.ofSeconds(90))
                    .until(() -> admin.agents().stream().anyMatch(a -> "online".equals(a.status())));
            assertThat(Files.readString(server.dataDir().resolve("local-agent").resolve("server-fingerprint")).trim())
                    .isEqualTo(fingerprint.replace(":", "").toLowerCase());
        }
    }

    @Test
    void aBrokenKeyFileIsRefusedAtStartWithTheSettingNamed() throws Exception {
        Path cert = dir.resolve("c.pem");
        Path key = dir.resolve("k.pem");
        Files.writeString(cert, "not a certificate\n");
        Files.writeString(key, "not a key\n");
        assertThatThrownBy(() -> TestServer.start(TestDatabase.Kind.H2,
                Map.of("GURURMM_TLS_CERT_FILE", cert.toString(), "GURURMM_TLS_KEY_FILE", key.toString())))
                .hasMessageContaining("GURURMM_TLS_CERT_FILE");
        assertThatThrownBy(() -> TestServer.start(TestDatabase.Kind.H2, Map.of("GURURMM_TLS_CERT_FILE", cert.toString())))
                .hasMessageContaining("GURURMM_TLS_KEY_FILE");
    }
}
