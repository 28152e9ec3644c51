package com.gururmm.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.gururmm.protocol.Json;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * MeshCentral, the peer of issue 14's side-by-side round trip: its Node.js server
 * ({@code meshcentral@1.1.55} from npm, installed under {@code bench/target/meshcentral} on first
 * use) and its stock native Linux agent (the {@code meshagent_x86-64} the package ships), both on
 * loopback only, in a fresh data directory per run. The agent gets the device group's settings
 * (MeshServer {@code wss://127.0.0.1:<port>/agent.ashx}) and runs in the foreground
 * ({@code meshagent connect}), not installed as a service.
 *
 * <p>A command is timed as an operator with a persistent session sees it: one WebSocket to
 * {@code /control.ashx} kept open, {@code runcommands} with {@code reply: true} sent, the
 * {@code runcommands} answer carrying the output received. That is MeshCentral's
 * server → agent → server path plus one hop to the operator, the counterpart of GuruRMM's REST
 * submit + {@code GET ?wait}.
 */
final class MeshCentralPeer implements AutoCloseable {
    static final String VERSION = "1.1.55";
    /** Set (to anything) to keep the run's data directory (server.log, agent/agent.log) instead of deleting it. */
    static final String KEEP_DATA = "GURURMM_BENCH_KEEP_PEER_DATA";
    /** MeshCentral's debug categories for its server.log (its {@code --debug}, e.g. {@code agent,main}), to find why an agent drops. */
    static final String DEBUG = "GURURMM_BENCH_PEER_DEBUG";
    private static final String USER = "bench";
    private static final String PASSWORD = "Bench-" + Long.toHexString(new SecureRandom().nextLong()) + "!";

    private final Path install;
    private final Path data;
    private final Path agentDir;
    private final int port;
    private final HttpClient http;
    private Process server;
    private Process agent;
    private WebSocket control;
    private final java.util.concurrent.ConcurrentHashMap<String, CompletableFuture<String>> waiting = new java.util.concurrent.ConcurrentHashMap<>();
    private String nodeId;
    /** The last messages from the server, for the error when an answer does not come. */
    private final java.util.ArrayDeque<String> recent = new java.util.ArrayDeque<>();
    private long sequence;

    MeshCentralPeer(Path root) throws Exception {
        this.install = root.resolve("bench/target/meshcentral");
        this.data = Files.createTempDirectory("gururmm-bench-meshcentral-");
        this.agentDir = Files.createDirectories(data.resolve("agent"));
        try (ServerSocket probe = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            this.port = probe.getLocalPort();
        }
        // The peer's certificate is self-signed for 127.0.0.1: this client trusts it on loopback only.
        System.setProperty("jdk.internal.httpclient.disableHostnameVerification", "true");
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(null, new TrustManager[] {new X509TrustManager() {
            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType) {
            }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType) {
            }

            @Override
            public X509Certificate[] getAcceptedIssuers() {
                return new X509Certificate[0];
            }
        }}, new SecureRandom());
        this.http = HttpClient.newBuilder().sslContext(tls).connectTimeout(Duration.ofSeconds(5)).build();
    }

    /** Installs (first time), starts the server and the agent, and opens the operator's session; stops them all if that fails. */
    MeshCentralPeer start() throws Exception {
        try {
            return startAll();
        } catch (Exception | Error e) {
            close();
            throw e;
        }
    }

    private MeshCentralPeer startAll() throws Exception {
        installIfMissing();
        Files.writeString(data.resolve("config.json"), """
                {
                  "settings": {
                    "cert": "127.0.0.1", "port": %d, "aliasPort": %d, "redirPort": 0, "mpsPort": 0, "exactPorts": true,
                    "bindAddress": "127.0.0.1", "WANonly": true, "agentTimeStampServer": false, "selfUpdate": false,
                    "noAgentUpdate": 1
                  },
                  "domains": { "": { "newAccounts": false } }
                }
                """.formatted(port, port));
        node(Duration.ofMinutes(3), "--datapath", data.toString(), "--createaccount", USER, "--pass", PASSWORD, "--email", "bench@example.test");
        node(Duration.ofMinutes(1), "--datapath", data.toString(), "--adminaccount", USER);
        List<String> serverArgs = new ArrayList<>(List.of("--datapath", data.toString()));
        if (System.getenv(DEBUG) != null) {
            serverArgs.addAll(List.of("--debug", System.getenv(DEBUG)));
        }
        server = new ProcessBuilder(nodeCommand(serverArgs.toArray(String[]::new))).directory(install.toFile()).redirectErrorStream(true)
                .redirectOutput(data.resolve("server.log").toFile()).start();
        // The first start makes its certificates (seconds).
        awaitLog(data.resolve("server.log"), "HTTPS server running", Duration.ofMinutes(3));
        openControl();
        String meshId = request("createmesh", "{\"action\":\"createmesh\",\"meshname\":\"bench\",\"meshtype\":2,\"responseid\":\"%s\"}",
                "meshid");
        String settings = http.send(HttpRequest.newBuilder(URI.create(base() + "/meshsettings?id=" + meshId.substring("mesh//".length())))
                .build(), HttpResponse.BodyHandlers.ofString()).body();
        if (!settings.contains("MeshServer=wss://127.0.0.1:" + port + "/")) {
            throw new IllegalStateException("the device group's settings do not point at this loopback server: " + settings.lines().limit(8).toList());
        }
        // The translations line is for the installer's UI only.
        Files.writeString(agentDir.resolve("meshagent.msh"), settings.lines().filter(l -> !l.startsWith("translation="))
                .collect(Collectors.joining("\r\n", "", "\r\n")));
        Path binary = Files.copy(install.resolve("node_modules/meshcentral/agents/meshagent_x86-64"), agentDir.resolve("meshagent"));
        Files.setPosixFilePermissions(binary, PosixFilePermissions.fromString("rwx------"));
        agent = new ProcessBuilder(binary.toString(), "connect").directory(agentDir.toFile()).redirectErrorStream(true)
                .redirectOutput(agentDir.resolve("agent.log").toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
        while (nodeId == null) {
            if (System.nanoTime() > deadline || !agent.isAlive()) {
                throw new IllegalStateException("the MeshCentral agent did not connect; see " + agentDir.resolve("agent.log"));
            }
            nodeId = connectedNode();
            Thread.sleep(200);
        }
        // Connected is not ready: the server pushes the agent its JavaScript core, and the agent reconnects once it has
        // it; a command sent meanwhile is dropped without an answer. Ready: answering without a miss for 15 s.
        long answeringSince = 0;
        while (answeringSince == 0 || System.nanoTime() - answeringSince < TimeUnit.SECONDS.toNanos(15)) {
            try {
                roundTrip(Duration.ofSeconds(5));
                if (answeringSince == 0) {
                    answeringSince = System.nanoTime();
                }
                Thread.sleep(250);
            } catch (java.util.concurrent.TimeoutException e) {
                answeringSince = 0;
                if (System.nanoTime() > deadline || !agent.isAlive()) {
                    throw new IllegalStateException("the MeshCentral agent does not answer commands steadily; see " + agentDir.resolve("agent.log"));
                }
                nodeId = connectedNode();
            }
        }
        return this;
    }

    private String connectedNode() throws Exception {
        JsonNode nodes = Json.mapper().readTree(request("nodes", "{\"action\":\"nodes\",\"responseid\":\"%s\"}", null));
        for (JsonNode group : nodes.path("nodes")) {
            for (JsonNode device : group) {
                if (device.path("conn").asInt() > 0) {
                    return device.path("_id").asText();
                }
            }
        }
        return nodeId;
    }

    /** One command through the peer: {@code echo hi <n>} on the agent, its output back; the time in nanoseconds. */
    long roundTrip() throws Exception {
        return roundTrip(Duration.ofSeconds(30));
    }

    private long roundTrip(Duration timeout) throws Exception {
        String id = "rt" + (++sequence);
        CompletableFuture<String> answer = new CompletableFuture<>();
        waiting.put(id, answer);
        long t0 = System.nanoTime();
        // Each command's output differs (its number): the agent also sends every output line as a console message, and
        // MeshCentral's server disconnects an agent that sends the same console message 30 times in a row (meshagent.js,
        // consoleKickCount), which made the stock agent drop every 31st command and reconnect.
        control.sendText("{\"action\":\"runcommands\",\"nodeids\":[\"" + nodeId + "\"],\"type\":0,\"cmds\":\"echo hi " + sequence + "\",\"runAsUser\":0,"
                + "\"reply\":true,\"responseid\":\"" + id + "\"}", true).join();
        String result;
        try {
            result = answer.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            synchronized (recent) {
                throw new java.util.concurrent.TimeoutException("no answer to command " + id + " within " + timeout.toSeconds()
                        + " s; last messages: " + recent);
            }
        } finally {
            waiting.remove(id);
        }
        long took = System.nanoTime() - t0;
        if (!result.strip().equals("hi " + id.substring(2))) {
            throw new IllegalStateException("unexpected MeshCentral result '" + result + "'");
        }
        return took;
    }

    long serverPid() {
        return server.pid();
    }

    long agentPid() {
        return agent.pid();
    }

    private String base() {
        return "https://127.0.0.1:" + port;
    }

    private void openControl() throws Exception {
        String auth = Base64.getEncoder().encodeToString(USER.getBytes(StandardCharsets.UTF_8)) + ","
                + Base64.getEncoder().encodeToString(PASSWORD.getBytes(StandardCharsets.UTF_8));
        control = http.newWebSocketBuilder().header("x-meshauth", auth)
                .buildAsync(URI.create("wss://127.0.0.1:" + port + "/control.ashx"), new WebSocket.Listener() {
                    private final StringBuilder text = new StringBuilder();

                    @Override
                    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
                        text.append(data);
                        if (last) {
                            dispatch(text.toString());
                            text.setLength(0);
                        }
                        webSocket.request(1);
                        return null;
                    }
                }).get(30, TimeUnit.SECONDS);
    }

    /** Answers carry our {@code responseid}; a command's output comes as {@code msg}/{@code runcommands}. */
    private void dispatch(String message) {
        synchronized (recent) {
            recent.addLast(message.length() > 300 ? message.substring(0, 300) : message);
            if (recent.size() > 6) {
                recent.removeFirst();
            }
        }
        try {
            JsonNode m = Json.mapper().readTree(message);
            String id = m.path("responseid").asText(null);
            CompletableFuture<String> answer = id == null ? null : waiting.get(id);
            if (answer == null) {
                return;
            }
            if (m.path("action").asText().equals("msg") && m.path("type").asText().equals("runcommands")) {
                waiting.remove(id);
                answer.complete(m.path("result").asText());
            } else if (m.path("action").asText().equals("runcommands")) {
                // The receipt: "OK" (sent to the agent; the output follows) or why not.
                if (!m.path("result").asText().equals("OK")) {
                    waiting.remove(id);
                    answer.completeExceptionally(new IllegalStateException("MeshCentral refused the command: " + m.path("result").asText()));
                }
            } else {
                waiting.remove(id);
                answer.complete(message);
            }
        } catch (IOException e) {
            // not JSON: not ours
        }
    }

    /** Sends an action with a fresh responseid and returns the answer's {@code field} (or the whole answer). */
    private String request(String name, String template, String field) throws Exception {
        String id = name + (++sequence);
        CompletableFuture<String> answer = new CompletableFuture<>();
        waiting.put(id, answer);
        control.sendText(template.formatted(id), true).join();
        String message = answer.get(30, TimeUnit.SECONDS);
        if (field == null) {
            return message;
        }
        JsonNode value = Json.mapper().readTree(message).path(field);
        if (value.isMissingNode()) {
            throw new IllegalStateException("MeshCentral answered " + name + " without " + field + ": " + message);
        }
        return value.asText();
    }

    private void installIfMissing() throws Exception {
        if (Files.isRegularFile(install.resolve("node_modules/meshcentral/package.json"))) {
            return;
        }
        Files.createDirectories(install);
        Process npm = new ProcessBuilder("npm", "install", "--no-audit", "--no-fund", "meshcentral@" + VERSION).directory(install.toFile())
                .redirectErrorStream(true).redirectOutput(install.resolve("npm.log").toFile()).start();
        if (!npm.waitFor(10, TimeUnit.MINUTES) || npm.exitValue() != 0) {
            throw new IllegalStateException("npm install meshcentral@" + VERSION + " failed; see " + install.resolve("npm.log"));
        }
    }

    private List<String> nodeCommand(String... args) {
        List<String> command = new ArrayList<>(List.of("node", install.resolve("node_modules/meshcentral").toString()));
        command.addAll(List.of(args));
        return command;
    }

    private void node(Duration timeout, String... args) throws Exception {
        Process p = new ProcessBuilder(nodeCommand(args)).directory(install.toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(data.resolve("setup.log").toFile())).start();
        if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IllegalStateException("MeshCentral " + String.join(" ", args) + " failed; see " + data.resolve("setup.log"));
        }
    }

    private void awaitLog(Path log, String marker, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!Files.exists(log) || !Files.readString(log).contains(marker)) {
            if (System.nanoTime() > deadline || !server.isAlive()) {
                throw new IllegalStateException("MeshCentral did not start; see " + log);
            }
            Thread.sleep(100);
        }
        try (Socket probe = new Socket("127.0.0.1", port)) {
            probe.setSoTimeout(1000);
        }
    }

    @Override
    public void close() throws Exception {
        if (control != null) {
            control.abort();
        }
        // Forcibly, children first: a MeshCentral agent left running fights the next run's agent for the machine
        // (each reconnects every few seconds), and the server forks workers of its own.
        for (Process p : new Process[] {agent, server}) {
            if (p != null) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                p.waitFor(10, TimeUnit.SECONDS);
            }
        }
        if (System.getenv(KEEP_DATA) != null) {
            System.err.println("MeshCentral's data, logs and agent kept in " + data + " (" + KEEP_DATA + " is set)");
            return;
        }
        try (Stream<Path> files = Files.walk(data)) {
            files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        }
    }
}
