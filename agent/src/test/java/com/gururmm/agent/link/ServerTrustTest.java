package com.gururmm.agent.link;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.gururmm.agent.AgentConfig;
import java.net.URI;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The agent's URL policy: https always, http only to loopback unless GURURMM_ALLOW_INSECURE_HTTP=true; fingerprints parsed strictly. */
class ServerTrustTest {
    @TempDir
    Path state;

    @ParameterizedTest
    @ValueSource(strings = {"http://127.0.0.1:3001", "http://127.8.9.10", "http://localhost:3001", "http://LOCALHOST", "http://[::1]:3001",
            "https://rmm.example.com", "https://10.0.0.5:3001"})
    void allowedByDefault(String url) {
        assertThatCode(() -> ServerTrust.checkUrl(URI.create(url), false)).doesNotThrowAnyException();
    }

    @ParameterizedTest
    @ValueSource(strings = {"http://rmm.example.com:3001", "http://10.0.0.5:3001", "http://192.168.1.2", "http://127.0.0.1.evil.example",
            "http://localhost.evil.example", "http://128.0.0.1", "http://[::2]", "http://127.0.0.256"})
    void plainHttpOverANetworkIsRefusedUnlessAllowed(String url) {
        assertThatThrownBy(() -> ServerTrust.checkUrl(URI.create(url), false)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("GURURMM_ALLOW_INSECURE_HTTP=true").hasMessageContaining("https://");
        assertThatCode(() -> ServerTrust.checkUrl(URI.create(url), true)).doesNotThrowAnyException();
    }

    @Test
    void theAgentConfigAppliesThePolicy() {
        Map<String, String> env = Map.of("GURURMM_SERVER_URL", "http://rmm.example.com:3001", "GURURMM_STATE_DIR", state.toString());
        assertThatThrownBy(() -> AgentConfig.load(env)).hasMessageContaining("not this machine");
        Map<String, String> allowed = new java.util.HashMap<>(env);
        allowed.put("GURURMM_ALLOW_INSECURE_HTTP", "true");
        assertThat(AgentConfig.load(allowed).allowInsecureHttp()).isTrue();
        allowed.put("GURURMM_ALLOW_INSECURE_HTTP", "yes");
        assertThatThrownBy(() -> AgentConfig.load(allowed)).hasMessageContaining("true or false");
    }

    @Test
    void fingerprintsAreReadInTheUsualSpellingsAndPinOnlyHttps() {
        String hex = "ab".repeat(32);
        assertThat(ServerTrust.normalizeFingerprint(hex.toUpperCase())).isEqualTo(hex);
        assertThat(ServerTrust.normalizeFingerprint(ServerTrust.colons(hex))).isEqualTo(hex);
        assertThat(ServerTrust.normalizeFingerprint("SHA256:" + hex)).isEqualTo(hex);
        assertThatThrownBy(() -> ServerTrust.normalizeFingerprint("ab:cd")).hasMessageContaining("not a SHA-256 fingerprint");
        assertThatThrownBy(() -> AgentConfig.load(Map.of("GURURMM_SERVER_URL", "http://127.0.0.1:3001", "GURURMM_STATE_DIR", state.toString(),
                "GURURMM_SERVER_FINGERPRINT", hex))).hasMessageContaining("not https://");
        assertThat(AgentConfig.load(Map.of("GURURMM_SERVER_URL", "https://127.0.0.1:3001", "GURURMM_STATE_DIR", state.toString(),
                "GURURMM_SERVER_FINGERPRINT", ServerTrust.colons(hex))).serverFingerprint()).isEqualTo(hex);
    }
}
