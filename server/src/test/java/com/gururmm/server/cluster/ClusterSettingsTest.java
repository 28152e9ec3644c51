package com.gururmm.server.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.gururmm.server.config.ConfigException;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** GURURMM_NODE_URL: where the other nodes pass work on to this one (NodeRelay appends the request's path). */
@Timeout(30)
class ClusterSettingsTest {
    @Test
    void aNodeUrlIsSchemeHostAndPortOnly() {
        assertThat(ClusterSettings.fromMap(Map.of("GURURMM_NODE_URL", "http://10.0.0.5:8080/")).effectiveNodeUrl(false, "0.0.0.0", 1))
                .isEqualTo("http://10.0.0.5:8080");
        assertThat(ClusterSettings.fromMap(Map.of("GURURMM_NODE_URL", " https://node-2.internal:8443 ")).effectiveNodeUrl(false, "x", 1))
                .isEqualTo("https://node-2.internal:8443");
        for (String bad : new String[] {"10.0.0.5:8080", "ftp://host", "http://host:8080/api", "http://host?x=1", "http://u:p@host",
                "http://", "http://ho st", "http://host\u0000:80"}) {
            assertThatThrownBy(() -> ClusterSettings.fromMap(Map.of("GURURMM_NODE_URL", bad)), bad)
                    .isInstanceOf(ConfigException.class).hasMessageContaining("GURURMM_NODE_URL");
        }
    }

    @Test
    void withoutOneTheUrlIsTheListeningAddress() {
        ClusterSettings derived = ClusterSettings.fromMap(Map.of());
        assertThat(derived.effectiveNodeUrl(false, "127.0.0.1", 8080)).isEqualTo("http://127.0.0.1:8080");
        assertThat(derived.effectiveNodeUrl(true, "::1", 8443)).isEqualTo("https://[::1]:8443");
        assertThat(derived.effectiveNodeUrl(false, "0.0.0.0", 8080)).startsWith("http://").endsWith(":8080")
                .doesNotContain("0.0.0.0");
    }
}
