package com.gururmm.bench.sim;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.gururmm.protocol.Json;
import com.gururmm.protocol.api.Agents.EnrollRequest;
import com.gururmm.protocol.api.Agents.EnrollResponse;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Thousands of {@link SimulatedAgent}s in one JVM.
 *
 * <p>Why the JDK {@code java.net.http.WebSocket}: it is what the real agent uses, so the
 * simulator exercises the same client stack; it is fully asynchronous (one selector thread per
 * {@link HttpClient}, no thread per connection); and {@code HttpClient.Builder.localAddress}
 * lets each client bind its own loopback source address. Agents are spread over a few clients
 * (two per source address) so one selector thread does not carry every socket, and over
 * several source addresses (127.0.0.1, 127.0.0.2, ...) because one address has only ~28,000
 * ephemeral ports towards the server's one port: 50,000 agents need two addresses or more.
 *
 * <p>Connecting is throttled ({@code maxInFlight} handshakes at once) so a scenario measures
 * the server, not a SYN flood against its accept queue.
 */
public final class Simulator implements AutoCloseable {
    private static final ObjectMapper MAPPER = Json.mapper();
    /** Agents per source address; stays well under the ~28,000 ephemeral ports of one address. */
    private static final int AGENTS_PER_ADDRESS = 20_000;

    private final URI baseUrl;
    private volatile URI wsUri;
    private final Executor executor;
    private final String runId = UUID.randomUUID().toString().substring(0, 8);
    private final List<HttpClient> clients = new ArrayList<>();
    private final int clientsPerAddress = 2;
    private final ScheduledExecutorService scheduler =
            Executors.newScheduledThreadPool(2, Thread.ofPlatform().name("sim-timer-", 0).daemon().factory());
    private final List<SimulatedAgent> agents = new ArrayList<>();
    private final AtomicInteger online = new AtomicInteger();
    private final AtomicInteger welcomes = new AtomicInteger();
    private final AtomicInteger disconnects = new AtomicInteger();
    private final AtomicInteger connectFailures = new AtomicInteger();
    private final AtomicInteger protocolErrors = new AtomicInteger();
    private final AtomicLong lastWelcomeNanos = new AtomicLong();
    private final ConcurrentHashMap<UUID, Long> ackNanos = new ConcurrentHashMap<>();
    private volatile String lastProtocolError;
    private volatile boolean stopping;

    public Simulator(URI baseUrl, Executor executor, int agentCount) {
        this(baseUrl, executor, agentCount, 1);
    }

    /**
     * @param firstAddress the last byte of the first loopback source address (127.0.0.N); several
     *     simulator processes on one machine take different ones, because a bound source address
     *     has only ~28,000 ephemeral ports for every process together
     */
    public Simulator(URI baseUrl, Executor executor, int agentCount, int firstAddress) {
        this.baseUrl = baseUrl;
        this.wsUri = URI.create("ws://" + baseUrl.getRawAuthority() + "/api/agent/ws");
        this.executor = executor;
        int addresses = Math.max(1, (agentCount + AGENTS_PER_ADDRESS - 1) / AGENTS_PER_ADDRESS);
        for (int a = 0; a < addresses; a++) {
            InetAddress source = loopback(a + firstAddress);
            for (int c = 0; c < clientsPerAddress; c++) {
                clients.add(HttpClient.newBuilder().localAddress(source).connectTimeout(Duration.ofSeconds(30)).build());
            }
        }
    }

    private static InetAddress loopback(int n) {
        try {
            return InetAddress.getByAddress(new byte[]{127, 0, 0, (byte) n});
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    static String machineUid(String runId, int index) {
        return "sim-" + runId + "-" + index;
    }

    /**
    /** Reconnects go to {@code server} from now on (a balancer that took a dead node out). */
    public void retarget(URI server) {
        this.wsUri = URI.create("ws://" + server.getRawAuthority() + "/api/agent/ws");
    }

    /**
     * Spreads reconnects over several servers: the first {@code counts[0]} agents go to
     * {@code servers[0]}, the next {@code counts[1]} to {@code servers[1]}, and so on; agents past
     * the sum keep the simulator's target. What a least-connections balancer with a per-node
     * connection cap does when a node dies.
     */
    public void retarget(List<URI> servers, List<Integer> counts) {
        int next = 0;
        for (int s = 0; s < servers.size(); s++) {
            URI ws = URI.create("ws://" + servers.get(s).getRawAuthority() + "/api/agent/ws");
            for (int i = 0; i < counts.get(s) && next < agents.size(); i++) {
                agents.get(next++).retarget(ws);
            }
        }
    }

    /** Every acknowledged result: command id → {@link System#nanoTime()} of the acknowledgement. */
    public java.util.Map<UUID, Long> acks() {
        return java.util.Map.copyOf(ackNanos);
    }

    /**
     * Enrolls {@code count} new machines with {@code parallelism} requests in flight; returns
     * how long it took. Agent {@code i} uses HTTP client {@code i % clients}.
     */
    public Duration enroll(String enrollmentToken, int count, int parallelism) throws InterruptedException {
        long start = System.nanoTime();
        int base = agents.size();
        SimulatedAgent[] made = new SimulatedAgent[count];
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            Semaphore slots = new Semaphore(parallelism);
            List<Future<?>> futures = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                int index = base + i;
                int slot = i;
                slots.acquire();
                futures.add(pool.submit(() -> {
                    try {
                        EnrollResponse r = enrollOne(enrollmentToken, index);
                        made[slot] = new SimulatedAgent(this, index, r.agentId(), r.agentToken(), clientFor(index));
                    } finally {
                        slots.release();
                    }
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                try {
                    f.get();
                } catch (java.util.concurrent.ExecutionException e) {
                    throw new IllegalStateException("enrollment failed: " + e.getCause().getMessage(), e.getCause());
                }
            }
        }
        agents.addAll(List.of(made));
        return Duration.ofNanos(System.nanoTime() - start);
    }

    private HttpClient clientFor(int index) {
        int address = index / AGENTS_PER_ADDRESS;
        return clients.get(Math.min(address * clientsPerAddress + index % clientsPerAddress, clients.size() - 1));
    }

    private EnrollResponse enrollOne(String enrollmentToken, int index) throws IOException, InterruptedException {
        EnrollRequest body = new EnrollRequest(enrollmentToken, "sim-device-" + index, machineUid(runId, index), "sim-" + index,
                "linux", "amd64", "0.1.0", "stable");
        HttpRequest request = HttpRequest.newBuilder(baseUrl.resolve("/api/agent/enroll"))
                .timeout(Duration.ofSeconds(60))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(MAPPER.writeValueAsString(body)))
                .build();
        for (int attempt = 1; ; attempt++) {
            HttpResponse<String> response = clientFor(index).send(request, HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() == 200) {
                return MAPPER.readValue(response.body(), EnrollResponse.class);
            }
            if (attempt >= 3 || response.statusCode() < 500) {
                throw new IOException("enroll of sim-" + index + " answered " + response.statusCode() + ": " + response.body());
            }
            Thread.sleep(200L * attempt);
        }
    }

    /**
     * Connects every enrolled agent that is not connected, {@code maxInFlight} handshakes at a
     * time, and waits until all are welcomed or {@code timeout} passes. Returns the time taken.
     */
    public Duration connectAll(int maxInFlight, Duration timeout) throws InterruptedException {
        long start = System.nanoTime();
        Semaphore slots = new Semaphore(maxInFlight);
        for (SimulatedAgent agent : agents) {
            if (agent.online()) {
                continue;
            }
            if (!slots.tryAcquire(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("connection handshakes stalled: " + maxInFlight + " in flight for 30 s");
            }
            agent.connect().whenComplete((ws, e) -> slots.release());
        }
        awaitOnline(agents.size(), timeout);
        return Duration.ofNanos(System.nanoTime() - start);
    }

    /** Waits until at least {@code count} agents are welcomed; false on timeout. */
    public boolean awaitOnline(int count, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (online.get() < count) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(20);
        }
        return true;
    }

    public List<SimulatedAgent> agents() {
        return List.copyOf(agents);
    }

    public int online() {
        return online.get();
    }

    public int disconnects() {
        return disconnects.get();
    }

    public int connectFailures() {
        return connectFailures.get();
    }

    public int protocolErrors() {
        return protocolErrors.get();
    }

    public String lastProtocolError() {
        return lastProtocolError;
    }

    public long lastWelcomeNanos() {
        return lastWelcomeNanos.get();
    }

    /** {@link System#nanoTime()} at which the server acknowledged the stored result of {@code commandId}, if it did. */
    public Long ackedAt(UUID commandId) {
        return ackNanos.get(commandId);
    }

    public void clearAcks() {
        ackNanos.clear();
    }

    // --- called by the agents ---

    URI wsUri() {
        return wsUri;
    }

    Executor executor() {
        return executor;
    }

    ScheduledExecutorService scheduler() {
        return scheduler;
    }

    String runId() {
        return runId;
    }

    boolean stopping() {
        return stopping;
    }

    void welcomed(SimulatedAgent agent) {
        online.incrementAndGet();
        welcomes.incrementAndGet();
        lastWelcomeNanos.set(System.nanoTime());
    }

    void disconnected(SimulatedAgent agent) {
        online.decrementAndGet();
        disconnects.incrementAndGet();
    }

    void connectFailed() {
        connectFailures.incrementAndGet();
    }

    void protocolError(String message) {
        protocolErrors.incrementAndGet();
        lastProtocolError = message;
    }

    private final java.util.concurrent.atomic.AtomicLong metricsAcks = new java.util.concurrent.atomic.AtomicLong();
    private final java.util.concurrent.atomic.AtomicLong metricsStored = new java.util.concurrent.atomic.AtomicLong();
    private final java.util.concurrent.atomic.AtomicLong metricsRefused = new java.util.concurrent.atomic.AtomicLong();

    void metricsAcked(com.gururmm.protocol.wire.ServerMessage.MetricsAck ack) {
        metricsAcks.incrementAndGet();
        metricsStored.addAndGet(ack.stored());
        metricsRefused.addAndGet(ack.refused());
    }

    /** Metrics batches acknowledged, samples stored, samples refused. */
    public long[] metricsCounts() {
        return new long[] {metricsAcks.get(), metricsStored.get(), metricsRefused.get()};
    }

    void acked(UUID commandId) {
        ackNanos.put(commandId, System.nanoTime());
    }

    @Override
    public void close() {
        stopping = true;
        agents.forEach(SimulatedAgent::stop);
        scheduler.shutdownNow();
        clients.forEach(HttpClient::shutdownNow);
    }
}
