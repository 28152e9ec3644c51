package com.gururmm.agent.update;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.gururmm.protocol.release.ReleaseSignature;
import com.gururmm.protocol.release.Version;
import com.gururmm.protocol.wire.ServerMessage.UpdateOffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the agent refuses before and after download, with real keys and real files. */
class ReleaseVerifierTest {
    private static final String FILE = "gururmm-agent-linux-amd64-1.1.0.jar";
    @TempDir
    Path dir;

    private static UpdateOffer offer(KeyPair key, String file, String version, String sha, long size) {
        String sig = ReleaseSignature.sign(key.getPrivate(), ReleaseSignature.message(file, version, "linux", "amd64", sha));
        return new UpdateOffer(file, version, "linux", "amd64", sha, sig, size, "/downloads/" + file);
    }

    @Test
    void refusesUnsignedMissignedOlderAndForeignBuilds() throws Exception {
        KeyPair trusted = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        KeyPair other = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        BuildVerifier verifier = new BuildVerifier(trusted.getPublic(), "linux", "amd64", Version.parseLenient("1.0.0"));
        String sha = "a".repeat(64);

        assertThat(verifier.checkOffer(offer(trusted, FILE, "1.1.0", sha, 10)).version().toString()).isEqualTo("1.1.0");
        UpdateOffer unsigned = new UpdateOffer(FILE, "1.1.0", "linux", "amd64", sha, null, 10, "/downloads/" + FILE);
        assertThatThrownBy(() -> verifier.checkOffer(unsigned)).hasMessageContaining("is not signed");
        assertThatThrownBy(() -> verifier.checkOffer(offer(other, FILE, "1.1.0", sha, 10))).hasMessageContaining("does not verify");
        UpdateOffer swappedHash = new UpdateOffer(FILE, "1.1.0", "linux", "amd64", "b".repeat(64),
                offer(trusted, FILE, "1.1.0", sha, 10).signature(), 10, "/downloads/" + FILE);
        assertThatThrownBy(() -> verifier.checkOffer(swappedHash)).hasMessageContaining("does not verify");
        assertThatThrownBy(() -> verifier.checkOffer(offer(trusted, "gururmm-agent-linux-amd64-0.9.0.jar", "0.9.0", sha, 10)))
                .hasMessageContaining("never downgrade");
        assertThatThrownBy(() -> verifier.checkOffer(offer(trusted, "gururmm-agent-linux-arm64-1.1.0.jar", "1.1.0", sha, 10)))
                .hasMessageContaining("is for linux-arm64");
        assertThatThrownBy(() -> verifier.checkOffer(offer(trusted, FILE, "1.2.0", sha, 10))).hasMessageContaining("does not carry");
    }

    @Test
    void refusesTruncatedOrAlteredDownloads() throws Exception {
        KeyPair trusted = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        BuildVerifier verifier = new BuildVerifier(trusted.getPublic(), "linux", "amd64", Version.parseLenient("1.0.0"));
        Path good = Files.writeString(dir.resolve("good"), "the real build");
        String sha = BuildVerifier.sha256(good);
        UpdateOffer offer = offer(trusted, FILE, "1.1.0", sha, Files.size(good));
        verifier.checkDownload(offer, good);

        Path truncated = Files.writeString(dir.resolve("truncated"), "the real");
        assertThatThrownBy(() -> verifier.checkDownload(offer, truncated)).hasMessageContaining("truncated or altered");
        Path altered = Files.writeString(dir.resolve("altered"), "the fake build");
        assertThatThrownBy(() -> verifier.checkDownload(offer, altered)).hasMessageContaining("tampered or damaged");
    }
}
