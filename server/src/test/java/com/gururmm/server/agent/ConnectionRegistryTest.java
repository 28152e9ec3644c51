package com.gururmm.server.agent;

import static org.assertj.core.api.Assertions.assertThat;

import com.gururmm.protocol.wire.ServerMessage;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class ConnectionRegistryTest {
    private static final class FakeLink implements AgentLink {
        final UUID id;
        final List<String> closes = new ArrayList<>();

        FakeLink() {
            this(UUID.randomUUID());
        }

        FakeLink(UUID id) {
            this.id = id;
        }

        @Override
        public UUID agentId() {
            return id;
        }

        @Override
        public boolean send(ServerMessage message) {
            return true;
        }

        @Override
        public void close(String reason) {
            closes.add(reason);
        }
    }

    private final Instant t0 = Instant.parse("2026-01-01T00:00:00Z");

    @Test
    void connectsAndDisconnectsAreAlwaysWrittenHeartbeatsOnlyEveryFewMinutes() {
        ConnectionRegistry registry = new ConnectionRegistry();
        FakeLink link = new FakeLink();
        registry.register(link, t0);
        assertThat(registry.drainDirty()).containsEntry(link.id, t0);

        registry.touch(link.id, t0.plusSeconds(30));
        registry.touch(link.id, t0.plusSeconds(60));
        assertThat(registry.drainDirty()).as("heartbeats within the persist interval are not written").isEmpty();
        assertThat(registry.lastSeen(link.id)).as("but the API sees them").contains(t0.plusSeconds(60));

        Instant later = t0.plus(ConnectionRegistry.PERSIST_EVERY);
        registry.touch(link.id, later);
        assertThat(registry.drainDirty()).containsEntry(link.id, later);

        Instant gone = later.plusSeconds(10);
        assertThat(registry.unregister(link, gone)).isTrue();
        assertThat(registry.drainDirty()).as("a disconnect is written at once").containsEntry(link.id, gone);
        assertThat(registry.isOnline(link.id)).isFalse();
    }

    @Test
    void aNewConnectionReplacesTheOldAndALateCloseOfTheOldChangesNothing() {
        ConnectionRegistry registry = new ConnectionRegistry();
        FakeLink first = new FakeLink();
        FakeLink second = new FakeLink(first.id);
        registry.register(first, t0);
        registry.register(second, t0.plusSeconds(1));
        assertThat(first.closes).containsExactly("replaced by a newer connection from the same agent");
        assertThat(registry.unregister(first, t0.plusSeconds(2))).isFalse();
        assertThat(registry.isOnline(first.id)).isTrue();
    }
}
