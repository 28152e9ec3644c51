package com.gururmm.server.agent;

import static org.assertj.core.api.Assertions.assertThat;

import com.gururmm.protocol.wire.Inventory;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * An agent's inventory with fields left out (found by HostileAgentFramePropertyTest: a hello or
 * inventory frame with {@code "os": null} made the server answer {@code server_error}, because
 * {@code Set.of(...).contains(null)} throws) is stored with the documented fallbacks.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class InventorySanitizeTest {
    @Test
    void missingOsArchAndChannelFallBackInsteadOfFailing() {
        Inventory clean = AgentService.sanitize(new Inventory(null, null, null, null, null, null, null, null, null, null, null));
        assertThat(clean.hostname()).isEqualTo("unknown");
        assertThat(clean.os()).isEqualTo("linux");
        assertThat(clean.arch()).isEqualTo("unknown");
        assertThat(clean.channel()).isEqualTo("stable");
        assertThat(clean.agentVersion()).isEqualTo("0.0.0");
        assertThat(clean.health().stateDirWritable()).isTrue();
    }
}
