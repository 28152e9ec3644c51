package com.gururmm.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.gururmm.agent.link.ServerLink;
import com.gururmm.protocol.wire.AgentMessage;
import com.gururmm.protocol.wire.Inventory;
import com.gururmm.protocol.wire.ServerMessage;
import com.gururmm.protocol.wire.Wire;
import io.javalin.Javalin;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The agent's side of forward compatibility (docs/PROTOCOL.md, "Versions and compatibility"):
 * the real {@link ServerLink}, talking to a stand-in for a newer server, skips a message type it
 * does not know and fields it does not know, and keeps the connection.
 */
@Timeout(60)
class AgentForwardCompatibilityTest {
    @Test
    void anAgentIgnoresUnknownServerMessageTypesAndFieldsAndKeepsTheConnection() throws Exception {
        UUID agentId = UUID.randomUUID();
        UUID commandId = UUID.randomUUID();
        BlockingQueue<String> fromAgent = new LinkedBlockingQueue<>();
        CompletableFuture<Integer> serverSawClose = new CompletableFuture<>();
        Javalin newerServer = Javalin.create(cfg -> cfg.routes.ws("/api/agent/ws", ws -> {
            ws.onMessage(ctx -> {
                fromAgent.add(ctx.message());
                if (ctx.message().contains("\"type\":\"hello\"")) {
                    ctx.send("{\"type\":\"welcome\",\"protocol_version\":" + Wire.PROTOCOL_VERSION + ",\"agent_id\":\"" + agentId
                            + "\",\"server_time\":\"" + Instant.now() + "\",\"heartbeat_seconds\":30,\"features\":[\"later\"]}");
                    ctx.send("{\"type\":\"from_a_newer_server\",\"payload\":{\"n\":1}}");
                    ctx.send("{\"type\":\"result_ack\",\"command_id\":\"" + commandId + "\",\"stored_at\":\"" + Instant.now() + "\"}");
                }
            });
            ws.onClose(ctx -> serverSawClose.complete(ctx.status()));
        })).start("127.0.0.1", 0);
        BlockingQueue<ServerMessage> handled = new LinkedBlockingQueue<>();
        ServerLink link = new ServerLink(HttpClient.newHttpClient(), URI.create("http://127.0.0.1:" + newerServer.port()),
                new ServerLink.Credential(agentId, "token"), new ServerLink.Handler() {
                    @Override
                    public void onWelcome(ServerMessage.Welcome welcome) {
                        handled.add(welcome);
                    }

                    @Override
                    public void onMessage(ServerMessage message) {
                        handled.add(message);
                    }

                    @Override
                    public ServerLink.Credential onCredentialRejected() {
                        return null;
                    }
                });
        Thread runner = Thread.ofVirtual().start(() -> {
            try {
                link.runForever(() -> new AgentMessage.Hello(Wire.PROTOCOL_VERSION, new Inventory("h", "linux", "t", "amd64", "1.0.0",
                        "stable", "m", "d", List.of(), List.of(), Inventory.Health.ok())), false);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        try {
            assertThat(fromAgent.poll(10, TimeUnit.SECONDS)).contains("\"type\":\"hello\"");
            ServerMessage welcome = handled.poll(10, TimeUnit.SECONDS);
            assertThat(welcome).isInstanceOf(ServerMessage.Welcome.class);
            assertThat(((ServerMessage.Welcome) welcome).heartbeatSeconds()).isEqualTo(30);
            // The unknown type is skipped; the next known message is handled.
            assertThat(handled.poll(10, TimeUnit.SECONDS)).isEqualTo(new ServerMessage.ResultAck(commandId));
            assertThat(link.connected()).isTrue();
            // Still the same, open connection: a frame sent now reaches the server.
            assertThat(link.send(new AgentMessage.Heartbeat(Instant.now()))).isTrue();
            assertThat(fromAgent.poll(10, TimeUnit.SECONDS)).contains("\"type\":\"heartbeat\"");
            assertThat(serverSawClose).isNotDone();
            assertThat(handled).isEmpty();
        } finally {
            link.stop();
            runner.join(10_000);
            newerServer.stop();
        }
    }
}
