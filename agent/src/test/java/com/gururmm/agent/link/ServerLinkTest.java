package com.gururmm.agent.link;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class ServerLinkTest {
    @Test
    void backoffGrowsWithJitterAndIsCappedAtThirtySeconds() {
        for (int i = 0; i < 200; i++) {
            assertThat(ServerLink.backoff(1)).isBetween(Duration.ofMillis(500), Duration.ofMillis(1000));
            assertThat(ServerLink.backoff(3)).isBetween(Duration.ofMillis(2000), Duration.ofMillis(4000));
            assertThat(ServerLink.backoff(50)).isBetween(Duration.ofSeconds(15), Duration.ofSeconds(30));
        }
    }
}
