package com.gururmm.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.gururmm.client.GuruClient;
import com.gururmm.protocol.api.Agents.EnrollResponse;
import com.gururmm.protocol.api.Commands.CommandRequest;
import com.gururmm.protocol.wire.ServerMessage;
import com.gururmm.protocol.wire.Wire;
import com.gururmm.testkit.TestDatabase;
import com.gururmm.testkit.TestServer;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Property: whatever frame an enrolled agent sends over its real WebSocket — each protocol
 * message (from the protocol module's golden files) damaged by {@link Hostile#body}, or a binary
 * frame — the server answers it with a protocol error ({@code refused}, never
 * {@code server_error}), acts on it, or closes that connection cleanly; a second agent's
 * connection keeps being served throughout; and a refused frame stores nothing ({@link DbSnapshot}).
 * Reproduce with {@code -Dgururmm.fuzz.seed=S}; try harder with {@code -Dgururmm.fuzz.tries=N}.
 */
@ParameterizedClass
@EnumSource(TestDatabase.Kind.class)
class HostileAgentFramePropertyTest {
    private static final List<String> MESSAGES = List.of("hello", "heartbeat", "inventory", "command_started", "command_result",
            "update_status", "system_inventory", "agent_events", "check_results", "metrics_report", "command_output");
    /** The id the golden files use for commands and metric batches. */
    private static final String GOLDEN_ID = "6f1c2b9e-2d4f-4c1a-9a57-0d3e8b7c1a22";
    /** A clean close: normal, going away, unacceptable data, bad UTF-8, policy, too big. Not 1011 (server error) or an abort. */
    private static final Set<Integer> CLEAN_CLOSES = Set.of(1000, 1001, 1003, 1007, 1008, 1009);

    private static TestDatabase.Kind started;
    private static TestServer server;

    @Parameter
    TestDatabase.Kind kind;

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
            server = null;
            started = null;
        }
    }

    private static synchronized TestServer server(TestDatabase.Kind kind) {
        if (started != kind) {
            stop();
            // A long heartbeat: the witness must not be dropped for idling while a slow try runs. A long
            // agent-lost grace: a closed fuzz connection must not fail its command later, in the middle of another try.
            server = TestServer.start(kind, Map.of("GURURMM_HEARTBEAT_SECONDS", "60", "GURURMM_AGENT_LOST_GRACE_SECONDS", "3600"));
            started = kind;
        }
        return server;
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void hostileFramesAreRefusedOrCloseTheirConnectionAndStoreNothing() throws Exception {
        TestServer server = server(kind);
        Map<String, String> templates = new java.util.LinkedHashMap<>();
        for (String name : MESSAGES) {
            templates.put(name, Files.readString(Path.of("..", "protocol", "src", "test", "resources", "golden", name + ".json")));
        }
        RawAgent witness = RawAgent.enroll(server);
        witness.hello();
        String machine = UUID.randomUUID().toString();
        EnrollResponse enrolled = RawAgent.enrollNew(server, machine);
        RawAgent agent = connect(server, enrolled, machine);
        GuruClient admin = server.adminClient();
        String commandId = admin.runCommand(enrolled.agentId(), new CommandRequest("sh", "echo fuzz", null, 86_400)).commandId().toString();
        long seed = Hostile.seed();
        int tries = Hostile.tries() * 20;
        System.out.println("HostileAgentFramePropertyTest " + kind + ": " + tries + " frames, seed " + seed
                + " (-Dgururmm.fuzz.seed=" + seed + " reproduces the run)");
        List<String> failures = new ArrayList<>();
        int refusedCount = 0;
        int closes = 0;
        try (DbSnapshot db = new DbSnapshot(server.database().jdbcUrl())) {
            barrier(agent, "start");
            DbSnapshot.State before = settled(db);
            for (int i = 0; i < tries && failures.size() < 30; i++) {
                Hostile hostile = new Hostile(seed + i);
                String what;
                if (hostile.random.nextInt(12) == 0) {
                    byte[] garbage = new byte[hostile.pick(1, 100, 5_000)];
                    hostile.random.nextBytes(garbage);
                    what = "binary frame of " + garbage.length + " bytes";
                    agent.socket.sendBinary(ByteBuffer.wrap(garbage), true).join();
                } else {
                    String name = hostile.pick(MESSAGES);
                    String template = templates.get(name).replace(GOLDEN_ID, hostile.random.nextBoolean() ? commandId : UUID.randomUUID().toString());
                    Hostile.Input input = hostile.body(template);
                    what = name + " [" + input.what() + "]: " + input.preview();
                    try {
                        agent.send(new String(input.bytes(), StandardCharsets.UTF_8));
                    } catch (Exception e) {
                        what += " (send failed: " + e + ")";
                    }
                }
                List<ServerMessage> answers = barrier(agent, "try-" + i);
                String problem = null;
                boolean refused = false;
                boolean accepted = false;
                if (answers == null) {
                    closes++;
                    int code = agent.closed.getNow(-1);
                    if (!CLEAN_CLOSES.contains(code)) {
                        problem = "connection ended without a clean close (" + code + ")";
                    }
                    agent = reconnect(server, enrolled, machine);
                    before = settled(db);
                } else {
                    for (ServerMessage m : answers) {
                        if (m instanceof ServerMessage.Refused r) {
                            refused = true;
                            if (r.error().equals("server_error")) {
                                problem = "the server failed on the frame: " + r.message();
                            }
                        } else if (m instanceof ServerMessage.MetricsAck ack && ack.stored() == 0) {
                            refused = true; // acknowledged, but nothing stored: the samples were refused
                        } else if (m instanceof ServerMessage.ResultAck || m instanceof ServerMessage.MetricsAck
                                || m instanceof ServerMessage.EventsAck || m instanceof ServerMessage.CheckResultsAck || m instanceof ServerMessage.Welcome) {
                            accepted = true;
                        }
                    }
                }
                if (answers != null && refused && !accepted) {
                    refusedCount++;
                    DbSnapshot.State after = db.take();
                    List<String> changed = before.differences(after);
                    if (!changed.isEmpty()) {
                        problem = (problem == null ? "" : problem + "; ") + "refused but stored " + changed;
                    }
                    before = after;
                } else if (answers != null) {
                    before = settled(db);
                }
                if (barrier(witness, "witness-" + i) == null) {
                    failures.add("after " + what + ": the other agent's connection was closed (" + witness.closed.getNow(-1) + ")");
                    witness = RawAgent.enroll(server);
                    witness.hello();
                }
                if (problem != null) {
                    failures.add(what + " -> " + problem);
                }
            }
        }
        // A new agent still connects and is welcomed.
        RawAgent.enroll(server).hello();
        Path file = Path.of("target", "fuzz-findings-ws-" + kind + ".txt");
        Files.createDirectories(file.getParent());
        Files.write(file, failures);
        failures.forEach(f -> System.out.println("FINDING " + kind + ": " + f));
        System.out.println("HostileAgentFramePropertyTest " + kind + ": " + refusedCount + " refused, " + closes + " closed");
        assertThat(refusedCount).as("most hostile frames are refused (the walk reached the handlers)").isGreaterThan(tries / 4);
        assertThat(failures).as("hostile frames handled wrongly (seed " + seed + ")").isEmpty();
    }

    private static RawAgent connect(TestServer server, EnrollResponse enrolled, String machine) throws Exception {
        RawAgent agent = new RawAgent(server, enrolled, machine);
        agent.hello();
        return agent;
    }

    /**
     * Connects and says hello; when the agent has a command pending (the fuzz agent's, which it
     * never runs), waits until the server has sent it again, so that re-delivery is not mistaken
     * for a change made by the next try's frame.
     */
    private static RawAgent reconnect(TestServer server, EnrollResponse enrolled, String machine) throws Exception {
        RawAgent agent = connect(server, enrolled, machine);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            String frame = agent.frames.poll(100, TimeUnit.MILLISECONDS);
            if (frame != null && Wire.decodeServerMessage(frame) instanceof ServerMessage.RunCommand) {
                break;
            }
        }
        return agent;
    }

    /**
     * Every frame the server sent before it answered a barrier, or null when the connection closed
     * first. The barrier is an empty {@code metrics_report} under a fresh batch id: always
     * acknowledged (with that id) once the agent said hello, stores nothing, and is no bad frame
     * (an unknown message type would be answered only for the first few types of a connection).
     */
    private static List<ServerMessage> barrier(RawAgent agent, String tag) throws Exception {
        UUID batch = UUID.randomUUID();
        try {
            agent.send("{\"type\":\"metrics_report\",\"batch_id\":\"" + batch + "\",\"samples\":[]}");
        } catch (Exception e) {
            return agent.closed.isDone() || awaitClose(agent) ? null : rethrow(e);
        }
        List<ServerMessage> before = new ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            String frame = agent.frames.poll(100, TimeUnit.MILLISECONDS);
            if (frame == null) {
                if (agent.closed.isDone()) {
                    return null;
                }
                continue;
            }
            ServerMessage message = Wire.decodeServerMessage(frame);
            if (message instanceof ServerMessage.MetricsAck ack && batch.equals(ack.batchId())) {
                return before;
            }
            before.add(message);
        }
        throw new AssertionError("no answer to barrier " + tag + " within 20 s; got " + before);
    }

    private static boolean awaitClose(RawAgent agent) throws Exception {
        try {
            agent.closed.get(5, TimeUnit.SECONDS);
            return true;
        } catch (java.util.concurrent.TimeoutException e) {
            return false;
        }
    }

    private static <T> T rethrow(Exception e) throws Exception {
        throw e;
    }

    /**
     * A snapshot once the work that followed an accepted frame has settled: unchanged for 300 ms
     * (alerts and inventories are evaluated after the frame is answered, through the event bus).
     */
    private static DbSnapshot.State settled(DbSnapshot db) throws Exception {
        DbSnapshot.State last = db.take();
        long quietSince = System.nanoTime();
        long deadline = quietSince + TimeUnit.SECONDS.toNanos(5);
        while (System.nanoTime() - quietSince < TimeUnit.MILLISECONDS.toNanos(300) && System.nanoTime() < deadline) {
            Thread.sleep(50);
            DbSnapshot.State now = db.take();
            if (!now.tables().equals(last.tables())) {
                quietSince = System.nanoTime();
            }
            last = now;
        }
        return last;
    }
}
