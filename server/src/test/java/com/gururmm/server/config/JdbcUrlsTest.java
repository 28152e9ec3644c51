package com.gururmm.server.config;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Secrets in URLs never reach a log line or an error message. */
class JdbcUrlsTest {
    @Test
    void masksPasswordsTokensAndPasswordParameters() {
        assertThat(JdbcUrls.maskPassword("postgres://gururmm:s3cret@db:5432/gururmm")).isEqualTo("postgres://gururmm:****@db:5432/gururmm");
        assertThat(JdbcUrls.maskPassword("nats://s3cr3t-token@nats:4222")).isEqualTo("nats://****@nats:4222");
        assertThat(JdbcUrls.maskPassword("nats://user:pw@nats:4222")).isEqualTo("nats://user:****@nats:4222");
        assertThat(JdbcUrls.maskPassword("jdbc:postgresql://db/gururmm?user=u&password=pw")).isEqualTo("jdbc:postgresql://db/gururmm?user=u&password=****");
        assertThat(JdbcUrls.maskPassword("nats://127.0.0.1:4222")).isEqualTo("nats://127.0.0.1:4222");
    }
}
