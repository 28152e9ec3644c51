package com.gururmm.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.gururmm.protocol.api.Agents.EnrollRequest;
import com.gururmm.protocol.api.Agents.EnrollResponse;
import com.gururmm.protocol.wire.AgentMessage;
import com.gururmm.protocol.wire.Inventory;
import com.gururmm.protocol.wire.ServerMessage;
import com.gururmm.protocol.wire.Wire;
import com.gururmm.testkit.TestServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A hand-driven agent connection that records every frame the server sends. Cheap enough to
 * have dozens online at once, where real agent processes would each cost a JVM.
 */
final class RawAgent implements WebSocket.Listener {
    final BlockingQueue<String> frames = new LinkedBlockingQueue<>();
    final CompletableFuture<Integer> closed = new CompletableFuture<>();
    final UUID agentId;
    final String machineUid;
    final WebSocket socket;
    private final StringBuilder partial = new StringBuilder();

    RawAgent(TestServer server, EnrollResponse enrolled, String machineUid) {
        this.agentId = enrolled.agentId();
        this.machineUid = machineUid;
        this.socket = HttpClient.newHttpClient().newWebSocketBuilder()
                .header("Authorization", "Bearer " + enrolled.agentToken())
                .header("X-GuruRMM-Agent-Id", enrolled.agentId().toString())
                .buildAsync(URI.create("ws://127.0.0.1:" + server.port() + "/api/agent/ws"), this).join();
    }

    /** Enrolls a new linux-amd64 stable agent at version 0.1.0 via {@code POST /api/agent/enroll}. */
    static EnrollResponse enrollNew(TestServer server, String machine) {
        return server.anonymousClient().enroll(new EnrollRequest(server.enrollmentToken(), "dev-" + machine, machine,
                "raw-" + machine.substring(0, 8), "linux", "amd64", "0.1.0", "stable"));
    }

    static RawAgent enroll(TestServer server) {
        String machine = UUID.randomUUID().toString();
        return new RawAgent(server, enrollNew(server, machine), machine);
    }

    void send(String text) {
        socket.sendText(text, true).join();
    }

    void send(AgentMessage message) {
        send(Wire.encode(message));
    }

    void hello() throws Exception {
        send(new AgentMessage.Hello(Wire.PROTOCOL_VERSION, new Inventory("raw", "linux", "test", "amd64", "0.1.0", "stable",
                machineUid, "dev", List.of(), List.of(), Inventory.Health.ok())));
        assertThat(next()).isInstanceOf(ServerMessage.Welcome.class);
    }

    ServerMessage next() throws Exception {
        String frame = frames.poll(10, TimeUnit.SECONDS);
        assertThat(frame).as("a frame from the server").isNotNull();
        return Wire.decodeServerMessage(frame);
    }

    /** Every frame received so far, decoded; the queue is emptied. */
    List<ServerMessage> drain() throws Exception {
        List<String> raw = new java.util.ArrayList<>();
        frames.drainTo(raw);
        List<ServerMessage> out = new java.util.ArrayList<>();
        for (String frame : raw) {
            out.add(Wire.decodeServerMessage(frame));
        }
        return out;
    }

    /**
     * Every frame the server sent before it answered one sent now, decoded (the queue is emptied).
     * The server handles a connection's frames in order and answers a frame that is not JSON with
     * {@code refused}, so everything it had decided to send before that is in the list: an absence
     * is then a fact, not a guess after a sleep.
     */
    List<ServerMessage> syncAndDrain() throws Exception {
        send("barrier: not JSON, so the server answers it with refused");
        List<ServerMessage> before = new java.util.ArrayList<>();
        while (true) {
            ServerMessage message = next();
            if (message instanceof ServerMessage.Refused refused && refused.error().equals("malformed_frame")) {
                return before;
            }
            before.add(message);
        }
    }

    @Override
    public void onOpen(WebSocket webSocket) {
        webSocket.request(Long.MAX_VALUE);
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
        partial.append(data);
        if (last) {
            frames.add(partial.toString());
            partial.setLength(0);
        }
        return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
        closed.complete(statusCode);
        return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
        closed.complete(-1);
    }
}
