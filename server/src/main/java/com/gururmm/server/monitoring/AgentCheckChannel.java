package com.gururmm.server.monitoring;

import com.gururmm.protocol.wire.AgentMessage;
import com.gururmm.protocol.wire.ServerMessage;
import com.gururmm.server.agent.ConnectionRegistry;
import com.gururmm.server.gateway.AgentChecks;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The server's side of agent-run checks (service, process, TCP, HTTP, reboot, pending updates,
 * script). Each agent gets the complete set that applies to it in {@code checks_config} after its
 * welcome and again whenever checks change; it runs them on their intervals and reports
 * {@code check_results}, which are evaluated here in order and acknowledged once handled.
 *
 * <p>A result {@code warning} or {@code critical} raises the check's alert (a script's exit code
 * sets the severity: 1 warning, 2 critical; the other kinds use the check's severity); the alert
 * resolves after {@link #CLEAR_AFTER} {@code ok} results in a row. The last result of each check
 * (script output included) is stored when its status or output changes, not on every run.
 */
final class AgentCheckChannel implements AgentChecks {
    static final int CLEAR_AFTER = 2;
    private static final int MAX_OUTPUT = 4000;

    private static final class State {
        int okStreak;
        boolean alerting;
        String lastStatus;
        String lastOutput;
        String raisedSeverity;
    }

    private final CheckCatalog catalog;
    private final AgentDirectory agents;
    private final AlertEngine engine;
    private final CheckStore store;
    private final ConnectionRegistry registry;
    private final AgentStates<State> states;
    /** Also told when an agent connects (the thresholds' memory of it may be stale too). */
    private final java.util.function.Consumer<UUID> onConnect;
    /** Agents last sent a non-empty set: they are told when it becomes empty (others need no frame at all). */
    private final Set<UUID> configured = ConcurrentHashMap.newKeySet();

    AgentCheckChannel(CheckCatalog catalog, AgentDirectory agents, AlertEngine engine, CheckStore store, ConnectionRegistry registry,
                      java.util.function.Function<UUID, Set<String>> openCheckKeys, java.util.function.Consumer<UUID> onConnect) {
        this.catalog = catalog;
        this.agents = agents;
        this.engine = engine;
        this.store = store;
        this.registry = registry;
        this.states = new AgentStates<>(openCheckKeys);
        this.onConnect = onConnect;
    }

    @Override
    public void onConnected(UUID agentId) {
        agents.forget(agentId);
        // It may come from another node, where alerts of it were opened or resolved meanwhile.
        states.forgetAgent(agentId);
        onConnect.accept(agentId);
        send(agentId);
    }

    /** Checks changed: every connected agent whose set is or was non-empty gets its new set. */
    void pushAll() {
        for (UUID agentId : registry.onlineAgentIds()) {
            send(agentId);
        }
    }

    private void send(UUID agentId) {
        ServerMessage.ChecksConfig config = config(agentId);
        if (config.checks().isEmpty() && !configured.remove(agentId)) {
            return; // never had checks: nothing to say (and nothing new on the wire for agents without checks)
        }
        if (!config.checks().isEmpty()) {
            configured.add(agentId);
        }
        registry.send(agentId, config);
    }

    ServerMessage.ChecksConfig config(UUID agentId) {
        String site = agents.get(agentId).map(AgentDirectory.AgentInfo::site).orElse(null);
        List<ServerMessage.AgentCheck> checks = catalog.effective(agentId, site).stream().filter(Check::agentSide).map(c -> {
            CheckParams p = c.params();
            int interval = (int) Math.max(1, Math.round((p.intervalMinutes() == null ? CheckValidator.DEFAULT_INTERVAL_MINUTES
                    : p.intervalMinutes()) * 60));
            return new ServerMessage.AgentCheck(c.key(), c.kind(), interval, p.service(), p.process(), p.host(), p.port(), p.url(),
                    p.timeoutSeconds(), p.expectedStatus(), p.days(), p.script(), p.scriptType());
        }).toList();
        return new ServerMessage.ChecksConfig(checks);
    }

    @Override
    public long onResults(UUID agentId, AgentMessage.CheckResults batch) {
        long highest = 0;
        String site = agents.get(agentId).map(AgentDirectory.AgentInfo::site).orElse(null);
        Map<String, Check> byKey = new java.util.HashMap<>();
        for (Check c : catalog.effective(agentId, site)) {
            if (c.agentSide()) {
                byKey.put(c.key(), c);
            }
        }
        for (AgentMessage.CheckResult result : batch.results()) {
            if (result == null) {
                continue;
            }
            highest = Math.max(highest, result.seq());
            Check check = result.key() == null ? null : byKey.get(result.key());
            if (check == null) {
                continue; // a check removed since the agent ran it
            }
            handle(agentId, check, result);
        }
        return highest;
    }

    private void handle(UUID agentId, Check check, AgentMessage.CheckResult result) {
        State state = states.get(agentId, check.key(), alerting -> {
            State s = new State();
            s.alerting = alerting;
            return s;
        });
        String status = switch (result.status() == null ? "" : result.status()) {
            case "ok" -> "ok";
            case "warning" -> "warning";
            default -> "critical";
        };
        String output = AlertEngine.truncate(result.output() == null ? "" : result.output(), MAX_OUTPUT);
        Instant at = result.at() == null ? Instant.now() : result.at();
        synchronized (state) {
            if (!status.equals(state.lastStatus) || !Objects.equals(output, state.lastOutput)) {
                store.saveResult(agentId, check.key(), status, output, at);
                state.lastStatus = status;
                state.lastOutput = output;
            }
            if (status.equals("ok")) {
                state.okStreak++;
                if (state.alerting && state.okStreak >= CLEAR_AFTER) {
                    engine.clear(agentId, check.key());
                    state.alerting = false;
                }
                return;
            }
            state.okStreak = 0;
            String severity = check.kind().equals("script") ? status : check.severity();
            // Raise on the turn to bad (or a new severity): a check that stays bad costs no query per run.
            if (!state.alerting || !severity.equals(state.raisedSeverity)) {
                engine.raise(agentId, check.key(), check.id(), check.kind(), severity, check.title(),
                        output.isBlank() ? check.title() : output, firstLine(output));
                state.alerting = true;
                state.raisedSeverity = severity;
            }
        }
    }

    void forget(UUID agentId, String checkKey) {
        states.forget(agentId, checkKey);
    }

    private static String firstLine(String text) {
        int nl = text.indexOf('\n');
        String line = nl < 0 ? text : text.substring(0, nl);
        return line.length() > 200 ? line.substring(0, 200) : line;
    }
}
