package com.gururmm.server.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

class InProcessEventBusTest {
    record Ping(int n) {
    }

    static final Topic<Ping> PINGS = Topic.of("test.ping", Ping.class);

    @Test
    void deliversInPublishOrderToEverySubscriber() {
        try (var bus = new InProcessEventBus()) {
            List<Integer> a = new CopyOnWriteArrayList<>();
            List<Integer> b = new CopyOnWriteArrayList<>();
            bus.subscribe(PINGS, p -> a.add(p.n()));
            bus.subscribe(PINGS, p -> b.add(p.n()));
            for (int i = 0; i < 1000; i++) {
                bus.publish(PINGS, new Ping(i));
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> a.size() == 1000 && b.size() == 1000);
            assertThat(a).isSortedAccordingTo(Integer::compare).doesNotHaveDuplicates();
            assertThat(b).isEqualTo(a);
        }
    }

    @Test
    void aStuckSubscriberNeitherBlocksThePublisherNorTheOthers() throws Exception {
        try (var bus = new InProcessEventBus(4)) {
            CountDownLatch release = new CountDownLatch(1);
            var stuck = bus.subscribe(PINGS, p -> {
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            List<Integer> healthy = new CopyOnWriteArrayList<>();
            bus.subscribe(PINGS, p -> healthy.add(p.n()));
            for (int i = 0; i < 100; i++) {
                bus.publish(PINGS, new Ping(i));
                // The healthy subscriber keeps up as long as it is drained between bursts of its queue size.
                if (i % 4 == 3) {
                    int expected = i + 1;
                    await().atMost(Duration.ofSeconds(10)).until(() -> healthy.size() == expected);
                }
            }
            assertThat(stuck.dropped()).isGreaterThanOrEqualTo(90);
            release.countDown();
        }
    }

    @Test
    void aFailingHandlerKeepsReceivingAndClosingStopsDelivery() {
        try (var bus = new InProcessEventBus()) {
            List<Integer> seen = new CopyOnWriteArrayList<>();
            var subscription = bus.subscribe(PINGS, p -> {
                seen.add(p.n());
                throw new IllegalStateException("handler bug");
            });
            bus.publish(PINGS, new Ping(1));
            bus.publish(PINGS, new Ping(2));
            await().atMost(Duration.ofSeconds(10)).until(() -> seen.size() == 2);
            subscription.close();
            bus.publish(PINGS, new Ping(3));
            List<Integer> after = new CopyOnWriteArrayList<>();
            bus.subscribe(PINGS, p -> after.add(p.n()));
            bus.publish(PINGS, new Ping(4));
            await().atMost(Duration.ofSeconds(10)).until(() -> after.equals(List.of(4)));
            assertThat(seen).containsExactly(1, 2);
        }
    }

    @Test
    void refusesAnEventOfTheWrongTypeAndBadTopicNames() {
        try (var bus = new InProcessEventBus()) {
            @SuppressWarnings({"unchecked", "rawtypes"})
            Topic<Object> raw = (Topic) PINGS;
            assertThatThrownBy(() -> bus.publish(raw, "not a ping")).isInstanceOf(IllegalArgumentException.class);
        }
        assertThatThrownBy(() -> Topic.of("Bad Name", Ping.class)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Topic.of("a..b", Ping.class)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void presenceEventsComeFromTheConnectionRegistry() {
        // Only connect and final disconnect: a replaced connection keeps the agent online.
        try (var bus = new InProcessEventBus()) {
            List<AgentPresence> events = new CopyOnWriteArrayList<>();
            bus.subscribe(AgentPresence.TOPIC, events::add);
            var registry = new com.gururmm.server.agent.ConnectionRegistry(null, bus);
            UUID agent = UUID.randomUUID();
            var first = new FakeLink(agent);
            var second = new FakeLink(agent);
            Instant now = Instant.parse("2026-12-02T00:00:00Z");
            registry.register(first, now);
            registry.register(second, now.plusSeconds(1));
            assertThat(registry.unregister(first, now.plusSeconds(2))).isFalse();
            assertThat(registry.unregister(second, now.plusSeconds(3))).isTrue();
            await().atMost(Duration.ofSeconds(10)).until(() -> events.size() == 2);
            assertThat(events).containsExactly(new AgentPresence(agent, true, now), new AgentPresence(agent, false, now.plusSeconds(3)));
        }
    }

    /** A class, not a record: two links of one agent are different connections. */
    private static final class FakeLink implements com.gururmm.server.agent.AgentLink {
        private final UUID agentId;

        FakeLink(UUID agentId) {
            this.agentId = agentId;
        }

        @Override
        public UUID agentId() {
            return agentId;
        }

        @Override
        public boolean send(com.gururmm.protocol.wire.ServerMessage message) {
            return true;
        }

        @Override
        public void close(String reason) {
        }

        @Override
        public String remoteAddress() {
            return "127.0.0.1";
        }
    }
}
