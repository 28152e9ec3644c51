package com.gururmm.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** GURURMM_OIDC_* and GURURMM_LOCAL_LOGIN (issue 10, SSO): read once, bad values named with their fix, the secret masked. */
class OidcSettingsTest {
    private static final String ISSUER = "https://login.example.test/realms/msp";

    @Test
    void offUnlessAnIssuerIsSet() {
        OidcSettings off = ServerConfig.fromMap(Map.of()).oidc();
        assertThat(off.enabled()).isFalse();
        assertThat(off.localLogin()).isTrue();
        assertThat(ServerConfig.fromMap(Map.of()).describe()).containsEntry("GURURMM_OIDC_ISSUER", "(unset: single sign-on off)")
                .containsEntry("GURURMM_LOCAL_LOGIN", "enabled").doesNotContainKey("GURURMM_OIDC_CLIENT_SECRET");
    }

    @Test
    void aFullConfigurationIsReadAndTheSecretIsMasked() {
        ServerConfig config = ServerConfig.fromMap(Map.of("GURURMM_OIDC_ISSUER", ISSUER, "GURURMM_OIDC_CLIENT_ID", "rmm",
                "GURURMM_OIDC_CLIENT_SECRET", "hunter2-but-longer", "GURURMM_OIDC_ROLE_MAP", "rmm-admins=admin, rmm-techs=Technician",
                "GURURMM_OIDC_SCOPES", "email groups", "GURURMM_LOCAL_LOGIN", "disabled"));
        OidcSettings oidc = config.oidc();
        assertThat(oidc.enabled()).isTrue();
        assertThat(oidc.roleMap()).containsExactlyInAnyOrderEntriesOf(Map.of("rmm-admins", "admin", "rmm-techs", "technician"));
        assertThat(oidc.scopes()).isEqualTo(List.of("openid", "email", "groups"));
        assertThat(oidc.roleClaim()).isEqualTo("groups");
        assertThat(oidc.mfaAmr()).contains("mfa", "otp");
        assertThat(oidc.localLogin()).isFalse();
        assertThat(config.describe()).containsEntry("GURURMM_OIDC_CLIENT_SECRET", "****").containsEntry("GURURMM_LOCAL_LOGIN", "disabled");
        assertThat(config.describe().values()).noneMatch(v -> v.contains("hunter2"));
    }

    @Test
    void theSecretCanComeFromAFile(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("secret"), "from-a-file\n");
        assertThat(OidcSettings.fromMap(Map.of("GURURMM_OIDC_ISSUER", ISSUER, "GURURMM_OIDC_CLIENT_ID", "rmm",
                "GURURMM_OIDC_CLIENT_SECRET_FILE", file.toString())).clientSecret()).isEqualTo("from-a-file");
        assertThatThrownBy(() -> OidcSettings.fromMap(Map.of("GURURMM_OIDC_ISSUER", ISSUER, "GURURMM_OIDC_CLIENT_ID", "rmm",
                "GURURMM_OIDC_CLIENT_SECRET_FILE", dir.resolve("missing").toString())))
                .isInstanceOf(ConfigException.class).hasMessageContaining("GURURMM_OIDC_CLIENT_SECRET_FILE");
        assertThatThrownBy(() -> OidcSettings.fromMap(Map.of("GURURMM_OIDC_ISSUER", ISSUER, "GURURMM_OIDC_CLIENT_ID", "rmm",
                "GURURMM_OIDC_CLIENT_SECRET", "x", "GURURMM_OIDC_CLIENT_SECRET_FILE", file.toString())))
                .isInstanceOf(ConfigException.class).hasMessageContaining("keep one");
    }

    @Test
    void badValuesAreRefusedAtStartWithTheirFix() {
        assertThatThrownBy(() -> OidcSettings.fromMap(Map.of("GURURMM_OIDC_ISSUER", ISSUER)))
                .isInstanceOf(ConfigException.class).hasMessageContaining("GURURMM_OIDC_CLIENT_ID");
        assertThatThrownBy(() -> OidcSettings.fromMap(Map.of("GURURMM_OIDC_ISSUER", "login.example.test", "GURURMM_OIDC_CLIENT_ID", "rmm")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("not an http(s) URL");
        assertThatThrownBy(() -> OidcSettings.fromMap(Map.of("GURURMM_OIDC_ISSUER", ISSUER, "GURURMM_OIDC_CLIENT_ID", "rmm",
                "GURURMM_OIDC_ROLE_MAP", "rmm-admins=root")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("GURURMM_OIDC_ROLE_MAP").hasMessageContaining("rmm-admins=root");
        assertThatThrownBy(() -> OidcSettings.fromMap(Map.of("GURURMM_LOCAL_LOGIN", "off")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("'enabled'");
        // Nobody could sign in: refused.
        assertThatThrownBy(() -> OidcSettings.fromMap(Map.of("GURURMM_LOCAL_LOGIN", "disabled")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("needs single sign-on");
    }
}
