package com.gururmm.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ServerConfigTest {
    @Test
    void defaultsFollowTheSpec() {
        ServerConfig config = ServerConfig.fromMap(Map.of());
        assertThat(config.httpPort()).isEqualTo(3001);
        assertThat(config.dataDir().toString()).endsWith("data");
        assertThat(config.databaseUrl()).startsWith("jdbc:h2:file:" + config.dataDir()).contains("MODE=PostgreSQL");
        assertThat(config.downloadsDir()).isEqualTo(config.dataDir().resolve("downloads"));
        assertThat(config.nats()).isEmpty();
        assertThat(config.heartbeatInterval()).isEqualTo(Duration.ofSeconds(30));
        assertThat(config.queuedCommandTtl()).isEqualTo(Duration.ofHours(24));
    }

    @Test
    void embeddedDatabaseWritesEveryCommitThrough() {
        assertThat(ServerConfig.fromMap(Map.of()).databaseUrl()).endsWith(";WRITE_DELAY=0;REUSE_SPACE=FALSE");
        assertThat(ServerConfig.fromMap(Map.of("DATABASE_URL", "jdbc:h2:file:/tmp/x;MODE=PostgreSQL")).databaseUrl())
                .isEqualTo("jdbc:h2:file:/tmp/x;MODE=PostgreSQL;WRITE_DELAY=0;REUSE_SPACE=FALSE");
        assertThat(ServerConfig.fromMap(Map.of("DATABASE_URL", "jdbc:h2:file:/tmp/x;REUSE_SPACE=TRUE")).databaseUrl())
                .as("an operator's explicit choice stays").isEqualTo("jdbc:h2:file:/tmp/x;REUSE_SPACE=TRUE;WRITE_DELAY=0");
        assertThat(ServerConfig.fromMap(Map.of("DATABASE_URL", "jdbc:h2:file:/tmp/x;write_delay=200")).databaseUrl())
                .as("an operator's explicit choice stays").isEqualTo("jdbc:h2:file:/tmp/x;write_delay=200");
        assertThat(ServerConfig.fromMap(Map.of("DATABASE_URL", "jdbc:postgresql://db/x")).databaseUrl())
                .isEqualTo("jdbc:postgresql://db/x");
    }

    @Test
    void badValuesNameTheVariableAndTheFix() {
        assertThatThrownBy(() -> ServerConfig.fromMap(Map.of("GURURMM_HTTP_PORT", "http")))
                .hasMessageContaining("GURURMM_HTTP_PORT").hasMessageContaining("whole number");
        assertThatThrownBy(() -> ServerConfig.fromMap(Map.of("GURURMM_HTTP_PORT", "70000")))
                .hasMessageContaining("between 0 and 65535");
        assertThatThrownBy(() -> ServerConfig.fromMap(Map.of("DATABASE_URL", "mysql://x")))
                .hasMessageContaining("DATABASE_URL");
        assertThatThrownBy(() -> ServerConfig.fromMap(Map.of("GURURMM_ADMIN_PASSWORD", "short")))
                .hasMessageContaining("12 characters");
        assertThatThrownBy(() -> ServerConfig.fromMap(Map.of("GURURMM_LOCAL_AGENT", "yes")))
                .hasMessageContaining("'auto'");
    }

    @Test
    void postgresUrlsAreNormalisedAndSecretsMaskedInTheLog() {
        ServerConfig config = ServerConfig.fromMap(Map.of(
                "DATABASE_URL", "postgres://rmm:s3cret@db.internal:5433/gururmm",
                "GURURMM_ADMIN_PASSWORD", "a very long admin password",
                "NATS_URL", "nats://user:natspw@127.0.0.1:4222"));
        assertThat(config.databaseUrl()).isEqualTo("jdbc:postgresql://db.internal:5433/gururmm?user=rmm&password=s3cret");
        String logged = config.describe().toString();
        assertThat(logged).doesNotContain("s3cret").doesNotContain("a very long admin password").doesNotContain("natspw");
        assertThat(config.describe()).containsEntry("GURURMM_ADMIN_PASSWORD", "****")
                .containsKeys("GURURMM_HTTP_PORT", "GURURMM_DATA_DIR", "DATABASE_URL", "DOWNLOADS_DIR", "GURURMM_ADMIN_EMAIL", "NATS_URL");
    }
}
