package com.gururmm.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** GURURMM_JWT_KEY_FILE and GURURMM_TRUSTED_PROXIES (issue 8, findings 3 and 6). */
class AuthSettingsTest {
    @Test
    void theSigningKeyDefaultsToAFileInTheDataDirAndOnlyItsPathIsLogged() {
        ServerConfig defaults = ServerConfig.fromMap(Map.of("GURURMM_DATA_DIR", "/srv/gururmm"));
        assertThat(defaults.jwtKeyPath()).isEqualTo(Path.of("/srv/gururmm/jwt-signing.key"));
        assertThat(defaults.describe()).containsEntry("GURURMM_JWT_KEY_FILE", "(data dir: jwt-signing.key)");

        ServerConfig shared = ServerConfig.fromMap(Map.of("GURURMM_JWT_KEY_FILE", "/etc/gururmm/jwt.key"));
        assertThat(shared.jwtKeyPath()).isEqualTo(Path.of("/etc/gururmm/jwt.key"));
        assertThat(shared.describe()).containsEntry("GURURMM_JWT_KEY_FILE", "/etc/gururmm/jwt.key");
    }

    @Test
    void trustedProxiesAreValidatedAtStart() {
        assertThat(ServerConfig.fromMap(Map.of()).describe().get("GURURMM_TRUSTED_PROXIES")).startsWith("(unset");
        assertThat(ServerConfig.fromMap(Map.of("GURURMM_TRUSTED_PROXIES", "10.0.0.5, 192.168.0.0/24")).trustedProxies())
                .isEqualTo("10.0.0.5, 192.168.0.0/24");
        assertThatThrownBy(() -> ServerConfig.fromMap(Map.of("GURURMM_TRUSTED_PROXIES", "10.0.0.5,proxy.local")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("GURURMM_TRUSTED_PROXIES").hasMessageContaining("proxy.local");
    }
}
