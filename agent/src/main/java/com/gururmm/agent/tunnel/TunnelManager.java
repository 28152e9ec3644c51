package com.gururmm.agent.tunnel;

import com.gururmm.agent.platform.Platform;
import com.gururmm.protocol.tunnel.TunnelControl;
import com.gururmm.protocol.wire.ServerMessage;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's tunnel sessions: starts one {@link TunnelRun} per {@code tunnel_open} (each on its
 * own virtual thread and its own WebSocket, so a busy shell never delays command traffic on the
 * main connection), enforces the agent's own session limit ({@code GURURMM_TUNNEL_MAX_SESSIONS},
 * default 8, beside the server's per-agent limit) and ends sessions on {@code tunnel_close}.
 */
public final class TunnelManager {
    private static final Logger log = LoggerFactory.getLogger(TunnelManager.class);

    /**
     * A thread that reads or writes a PTY. A platform thread, not a virtual one: pty4j's read
     * and write block inside native code (poll, write), which pins a virtual thread's carrier,
     * and the carriers are as many as the cores. Two idle shells on a two-core machine held
     * both, and every other virtual thread of the agent (the server's frames: commands, file
     * transfers, the next shell) waited until a shell printed something.
     */
    static Thread.Builder.OfPlatform ptyThread(String name) {
        return Thread.ofPlatform().daemon().stackSize(256 * 1024).name(name);
    }
    static final int DEFAULT_MAX_SESSIONS = 8;

    /** The agent's current credential (it changes on re-enrollment). */
    public record Credential(UUID agentId, String token) {
    }

    private final Platform platform;
    private final PtyShell.Starter starter;
    private final HttpClient http;
    private final URI serverUrl;
    private final Supplier<Credential> credential;
    private final int maxSessions;
    private final Map<UUID, TunnelRun> running = new ConcurrentHashMap<>();

    public TunnelManager(Platform platform, HttpClient http, URI serverUrl, Supplier<Credential> credential, Map<String, String> env) {
        this(platform, Pty4jShell.starter(platform::killGroup), http, serverUrl, credential, maxSessions(env));
    }

    TunnelManager(Platform platform, PtyShell.Starter starter, HttpClient http, URI serverUrl, Supplier<Credential> credential, int maxSessions) {
        this.platform = platform;
        this.starter = starter;
        this.http = http;
        this.serverUrl = serverUrl;
        this.credential = credential;
        this.maxSessions = maxSessions;
    }

    static int maxSessions(Map<String, String> env) {
        String raw = env.get("GURURMM_TUNNEL_MAX_SESSIONS");
        if (raw == null || raw.isBlank()) {
            return DEFAULT_MAX_SESSIONS;
        }
        try {
            int value = Integer.parseInt(raw.trim());
            if (value >= 0 && value <= 100) {
                return value;
            }
        } catch (NumberFormatException ignored) {
            // the warning below
        }
        log.warn("GURURMM_TUNNEL_MAX_SESSIONS is '{}'; it must be 0 (no shells) to 100; using {}", raw, DEFAULT_MAX_SESSIONS);
        return DEFAULT_MAX_SESSIONS;
    }

    public void onOpen(ServerMessage.TunnelOpen open) {
        if (open.sessionId() == null || running.containsKey(open.sessionId())) {
            return;
        }
        Credential c = credential.get();
        if (running.size() >= maxSessions) {
            refuse(open, c, "this agent already runs " + running.size() + " shell(s), its limit (GURURMM_TUNNEL_MAX_SESSIONS=" + maxSessions + ")");
            return;
        }
        TunnelRun run = new TunnelRun(open, platform, starter, http, serverUrl, c.agentId(), c.token(), () -> running.remove(open.sessionId()));
        running.put(open.sessionId(), run);
        ptyThread("tunnel-" + open.sessionId()).start(run::run);
    }

    public void onClose(ServerMessage.TunnelClose close) {
        TunnelRun run = close.sessionId() == null ? null : running.get(close.sessionId());
        if (run != null) {
            run.end(close.reason() == null ? "closed by the server" : close.reason());
        }
    }

    public int runningCount() {
        return running.size();
    }

    public void stopAll(String reason) {
        running.values().forEach(run -> run.end(reason));
    }

    /** Says no on the session's own socket, so the server's open request gets the reason at once. */
    private void refuse(ServerMessage.TunnelOpen open, Credential c, String why) {
        log.warn("tunnel session {} refused: {}", open.sessionId(), why);
        Thread.ofVirtual().start(() -> {
            String scheme = serverUrl.getScheme().equals("https") ? "wss" : "ws";
            try {
                WebSocket ws = http.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(10))
                        .header("Authorization", "Bearer " + c.token())
                        .header("X-GuruRMM-Agent-Id", c.agentId().toString())
                        .buildAsync(URI.create(scheme + "://" + serverUrl.getRawAuthority() + "/api/agent/tunnel/" + open.sessionId()),
                                new WebSocket.Listener() { })
                        .get(15, TimeUnit.SECONDS);
                ws.sendText(TunnelControl.encode(new TunnelControl.Error("limit", why)), true).get(10, TimeUnit.SECONDS);
                ws.sendClose(WebSocket.NORMAL_CLOSURE, "refused").get(5, TimeUnit.SECONDS);
            } catch (Exception e) {
                log.debug("could not report the refusal of tunnel session {}: {}", open.sessionId(), e.toString());
            }
        });
    }
}
