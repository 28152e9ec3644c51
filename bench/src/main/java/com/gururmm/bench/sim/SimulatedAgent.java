package com.gururmm.bench.sim;

import com.gururmm.protocol.wire.AgentMessage;
import com.gururmm.protocol.wire.Inventory;
import com.gururmm.protocol.wire.ProtocolException;
import com.gururmm.protocol.wire.ServerMessage;
import com.gururmm.protocol.wire.Wire;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * One simulated machine: the real protocol over a real WebSocket, with none of the real
 * agent's per-machine cost (no JVM, no state dir, no process per command unless the executor
 * forks one).
 *
 * <p>Conversation, as the real agent: open with the credential headers, send {@code hello}
 * with inventory, heartbeat at the cadence the {@code welcome} names, answer
 * {@code run_command} with {@code command_started} then {@code command_result}, and reconnect
 * with the agent's back-off when the connection ends. Everything is asynchronous: no thread
 * is held per agent, so thousands fit in one JVM.
 *
 * <p>Sends are chained: the JDK WebSocket allows one outstanding send at a time, so each send
 * is queued behind the previous one's future instead of blocking a thread.
 */
public final class SimulatedAgent implements WebSocket.Listener {
    private final Simulator sim;
    private final int index;
    private final UUID agentId;
    private final String token;
    private final HttpClient http;
    private final StringBuilder partial = new StringBuilder();
    private CompletableFuture<?> sendTail = CompletableFuture.completedFuture(null);
    private volatile WebSocket socket;
    private volatile boolean welcomed;
    private volatile boolean stopped;
    private volatile ScheduledFuture<?> heartbeat;
    private int failures;

    SimulatedAgent(Simulator sim, int index, UUID agentId, String token, HttpClient http) {
        this.sim = sim;
        this.index = index;
        this.agentId = agentId;
        this.token = token;
        this.http = http;
    }

    public UUID agentId() {
        return agentId;
    }

    public boolean online() {
        return welcomed;
    }

    /** Sends a metrics batch (the metrics scenario); false if not connected. */
    public boolean sendMetrics(AgentMessage.MetricsReport report) {
        if (!welcomed) {
            return false;
        }
        send(report);
        return true;
    }

    /** Where this agent's reconnects go, when it differs from the simulator's (a balancer that spreads one dead node's agents). */
    private volatile URI target;

    void retarget(URI webSocketUri) {
        this.target = webSocketUri;
    }

    /** Opens the connection; completes when the WebSocket is open (not yet welcomed). */
    CompletableFuture<WebSocket> connect() {
        return http.newWebSocketBuilder()
                .connectTimeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + token)
                .header("X-GuruRMM-Agent-Id", agentId.toString())
                .buildAsync(target != null ? target : sim.wsUri(), this)
                .whenComplete((ws, error) -> {
                    if (error != null) {
                        sim.connectFailed();
                        scheduleReconnect();
                    }
                });
    }

    @Override
    public void onOpen(WebSocket webSocket) {
        synchronized (this) {
            socket = webSocket;
            sendTail = CompletableFuture.completedFuture(null);
        }
        webSocket.request(1);
        send(new AgentMessage.Hello(Wire.PROTOCOL_VERSION, inventory()));
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
        partial.append(data);
        if (last) {
            String frame = partial.toString();
            partial.setLength(0);
            handle(frame);
        }
        webSocket.request(1);
        return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
        webSocket.abort(); // release the socket now; the server has already gone
        connectionEnded();
        return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
        connectionEnded();
    }

    private void handle(String frame) {
        ServerMessage message;
        try {
            message = Wire.decodeServerMessage(frame);
        } catch (ProtocolException e) {
            sim.protocolError(e.getMessage());
            return;
        }
        switch (message) {
            case ServerMessage.Welcome welcome -> onWelcome(welcome);
            case ServerMessage.RunCommand run -> {
                if (sim.executor().blocking()) {
                    Thread.ofVirtual().start(() -> execute(run));
                } else {
                    execute(run);
                }
            }
            case ServerMessage.ResultAck ack -> sim.acked(ack.commandId());
            case ServerMessage.CancelCommand ignored -> {
                // commands finish immediately or are short processes; nothing to cancel
            }
            case ServerMessage.Refused refused -> sim.protocolError(refused.error() + ": " + refused.message());
            case ServerMessage.UpdateOffer ignored -> {
                // simulated agents do not update themselves; the scenarios publish no releases
            }
            case ServerMessage.MetricsAck ack -> sim.metricsAcked(ack);
            default -> {
                // Inventory requests, check configs, tunnels...: features the simulated agent does not
                // simulate. A real agent handles every message (its switch has no default).
            }
        }
    }

    private void onWelcome(ServerMessage.Welcome welcome) {
        boolean first = !welcomed;
        welcomed = true;
        failures = 0;
        long period = Math.max(1, welcome.heartbeatSeconds()) * 1000L;
        ScheduledFuture<?> old = heartbeat;
        if (old != null) {
            old.cancel(false);
        }
        // A random phase spreads 10,000 agents' heartbeats evenly over the interval.
        heartbeat = sim.scheduler().scheduleAtFixedRate(() -> send(new AgentMessage.Heartbeat(Instant.now())),
                java.util.concurrent.ThreadLocalRandom.current().nextLong(period), period, TimeUnit.MILLISECONDS);
        if (first) {
            sim.welcomed(this);
        }
    }

    private void execute(ServerMessage.RunCommand run) {
        Instant started = Instant.now();
        // As the real agent (CommandExecutor.STARTED_NOTICE_DELAY): command_started only for a command still running after 100 ms.
        ScheduledFuture<?> notice = sim.scheduler().schedule(() -> send(new AgentMessage.CommandStarted(run.commandId(), started)),
                100, TimeUnit.MILLISECONDS);
        Executor.Outcome outcome = sim.executor().run(run);
        notice.cancel(false);
        send(new AgentMessage.CommandResult(run.commandId(), "completed", outcome.exitCode(), outcome.stdout(), outcome.stderr(),
                false, false, null, started, Instant.now()));
    }

    void send(AgentMessage message) {
        String text = Wire.encode(message);
        synchronized (this) {
            WebSocket ws = socket;
            if (ws == null) {
                return;
            }
            sendTail = sendTail.handle((v, e) -> null).thenCompose(v -> ws.sendText(text, true));
        }
    }

    private void connectionEnded() {
        boolean wasOnline;
        synchronized (this) {
            wasOnline = welcomed;
            welcomed = false;
            socket = null;
        }
        ScheduledFuture<?> hb = heartbeat;
        if (hb != null) {
            hb.cancel(false);
        }
        if (wasOnline) {
            sim.disconnected(this);
        }
        scheduleReconnect();
    }

    private void scheduleReconnect() {
        if (stopped || sim.stopping()) {
            return;
        }
        failures++;
        sim.scheduler().schedule(() -> {
            if (!stopped && !sim.stopping()) {
                connect();
            }
        }, Backoff.millis(failures), TimeUnit.MILLISECONDS);
    }

    void stop() {
        stopped = true;
        ScheduledFuture<?> hb = heartbeat;
        if (hb != null) {
            hb.cancel(false);
        }
        WebSocket ws = socket;
        if (ws != null) {
            ws.abort();
        }
    }

    private Inventory inventory() {
        return new Inventory("sim-" + index, "linux", "Simulated 1.0", "amd64", "0.1.0", "stable",
                Simulator.machineUid(sim.runId(), index), "sim-device-" + index, List.of("10." + (index >> 16 & 255) + "." + (index >> 8 & 255) + "." + (index & 255)),
                List.of(), Inventory.Health.ok());
    }
}
