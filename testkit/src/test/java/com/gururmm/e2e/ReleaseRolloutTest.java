package com.gururmm.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.gururmm.client.GuruClient;
import com.gururmm.protocol.api.Agents.EnrollResponse;
import com.gururmm.protocol.wire.AgentMessage;
import com.gururmm.protocol.wire.ServerMessage;
import com.gururmm.protocol.wire.ServerMessage.UpdateOffer;
import com.gururmm.testkit.TestDatabase;
import com.gururmm.testkit.TestServer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Staged rollout on a real server with many online agents: who is offered a build is decided by
 * the server alone, so hand-driven agent connections (no JVM each) show exactly which agents get
 * an {@code update_offer}, at connect and in the server's push rounds after a rollout change.
 */
class ReleaseRolloutTest {
    private static final int AGENTS = 60;
    private static final String VERSION = "2.0.0";
    private static final String FILE = "gururmm-agent-linux-amd64-" + VERSION + ".jar";

    private TestServer server;
    private GuruClient admin;
    private final Map<UUID, EnrollResponse> enrolled = new ConcurrentHashMap<>();
    private final Map<UUID, RawAgent> online = new ConcurrentHashMap<>();
    private final Map<UUID, String> machines = new ConcurrentHashMap<>();
    private final Map<UUID, Integer> offersSeen = new ConcurrentHashMap<>();
    private ScheduledExecutorService heartbeats;

    @BeforeEach
    void start() {
        // Raw agents send no heartbeats: a long interval keeps the idle timeout (2 heartbeats) away on a slow machine.
        server = TestServer.start(TestDatabase.Kind.H2, java.util.Map.of("GURURMM_HEARTBEAT_SECONDS", "30"));
        admin = server.adminClient();
        // The testkit server drops an agent after two silent 1 s heartbeat intervals.
        heartbeats = Executors.newSingleThreadScheduledExecutor();
        heartbeats.scheduleWithFixedDelay(this::heartbeat, 300, 300, TimeUnit.MILLISECONDS);
    }

    @AfterEach
    void stop() {
        heartbeats.shutdownNow();
        online.values().forEach(a -> a.socket.abort());
        server.close();
    }

    @Test
    void onlyAgentsInTheBucketAreOfferedRaisingOnlyAddsAndPauseStopsOffers() throws Exception {
        admin.publishRelease(FILE, "a build whose bytes do not matter to the offer".getBytes(StandardCharsets.UTF_8), "stable");
        admin.setReleaseRollout(FILE, 50, null);
        for (int i = 0; i < AGENTS; i++) {
            connect(enroll());
        }
        Set<UUID> in50 = expected(50);
        assertThat(in50.size()).as("a 50 %% rollout over %d agents includes some and leaves some out", AGENTS).isBetween(10, AGENTS - 10);
        Set<UUID> offered50 = awaitOffered(in50);

        // Raise to 80 %: the server's next push round re-offers to everyone now in, old and new alike.
        offersSeen.clear();
        admin.setReleaseRollout(FILE, 80, null);
        Set<UUID> in80 = expected(80);
        Set<UUID> offered80 = awaitOffered(in80);
        assertThat(offered80).as("raising the percentage never drops an agent that was in").containsAll(offered50);
        assertThat(offered80.size()).isGreaterThan(offered50.size());

        // Pause: no push round and no (re)connect offers anybody the build.
        offersSeen.clear();
        admin.setReleaseRollout(FILE, null, true);
        UUID inBucket = in80.iterator().next();
        reconnect(inBucket);
        awaitPushRounds(2);
        collect(true);
        assertThat(offersSeen).as("offers while paused").isEmpty();
        assertThat(admin.releases().stream().filter(r -> r.file().equals(FILE)).findFirst().orElseThrow().rollout().paused()).isTrue();

        // Resume: the same agents are offered again, so the silence above was the pause and not a dead channel.
        admin.setReleaseRollout(FILE, null, false);
        assertThat(awaitOffered(in80)).isEqualTo(offered80);
    }

    /**
     * The rollout bucket of SPEC section 6 as docs/RELEASES.md defines it: SHA-256 of
     * "agent id/version", first four bytes big-endian, mod 100; in when below the percentage.
     * Computed here independently so the test pins the exact membership, not just a share: a
     * server that changed the hash would reshuffle who is in a rollout already under way.
     */
    private Set<UUID> expected(int percent) throws Exception {
        Set<UUID> in = new HashSet<>();
        for (UUID id : enrolled.keySet()) {
            byte[] d = MessageDigest.getInstance("SHA-256").digest((id + "/" + VERSION).getBytes(StandardCharsets.UTF_8));
            long value = ((d[0] & 0xFFL) << 24) | ((d[1] & 0xFFL) << 16) | ((d[2] & 0xFFL) << 8) | (d[3] & 0xFFL);
            if (value % 100 < percent) {
                in.add(id);
            }
        }
        return in;
    }

    /** Waits until exactly {@code expected} have been offered, then a quiet spell to catch stragglers outside it. */
    private Set<UUID> awaitOffered(Set<UUID> expected) throws Exception {
        Awaitility.await("offers to the " + expected.size() + " agents in the rollout").atMost(Duration.ofSeconds(20))
                .pollInterval(Duration.ofMillis(200)).until(() -> {
                    collect(false);
                    return offersSeen.keySet().containsAll(expected);
                });
        // The round that made these offers may still be going through the rest of the fleet: let it finish.
        awaitPushRounds(1);
        collect(true);
        assertThat(offersSeen.keySet()).as("agents offered %s", FILE).isEqualTo(expected);
        return Set.copyOf(offersSeen.keySet());
    }

    /** Waits until {@code n} more of the server's push rounds have finished. */
    private void awaitPushRounds(int n) {
        long target = server.server().updates().completedRounds() + n;
        Awaitility.await(n + " push rounds").atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100))
                .until(() -> server.server().updates().completedRounds() >= target);
    }

    /**
     * Counts the offers each online agent has received; with {@code sync}, up to a barrier frame, so
     * none still in flight is missed (the barrier costs a refused frame, so not for polling).
     */
    private void collect(boolean sync) throws Exception {
        for (RawAgent agent : online.values()) {
            for (ServerMessage message : sync ? agent.syncAndDrain() : agent.drain()) {
                if (message instanceof UpdateOffer offer) {
                    assertThat(offer.file()).isEqualTo(FILE);
                    assertThat(offer.version()).isEqualTo(VERSION);
                    offersSeen.merge(agent.agentId, 1, Integer::sum);
                }
            }
        }
    }

    private EnrollResponse enroll() {
        String machine = UUID.randomUUID().toString();
        EnrollResponse response = RawAgent.enrollNew(server, machine);
        enrolled.put(response.agentId(), response);
        machines.put(response.agentId(), machine);
        return response;
    }

    private void connect(EnrollResponse response) throws Exception {
        RawAgent agent = new RawAgent(server, response, machines.get(response.agentId()));
        agent.hello();
        online.put(agent.agentId, agent);
    }

    private void reconnect(UUID id) throws Exception {
        RawAgent old = online.remove(id);
        old.socket.abort();
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> admin.agent(id).status().equals("offline"));
        connect(enrolled.get(id));
    }

    private void heartbeat() {
        for (RawAgent agent : online.values()) {
            try {
                agent.send(new AgentMessage.Heartbeat(Instant.now()));
            } catch (RuntimeException e) {
                // a socket the test just aborted; it is out of the map on the next round
            }
        }
    }
}
