package com.gururmm.server.monitoring;

import com.gururmm.server.events.MetricsReceived;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;

/**
 * Metric thresholds, evaluated on each {@link MetricsReceived} as it arrives (never by reading the
 * samples table). Per agent × check it keeps three numbers in memory: since when every sample
 * has breached, how many samples in a row have not, and whether an alert is open.
 *
 * <ul>
 *   <li>Opens when every sample for at least {@code duration} breached (duration 0: the first
 *       breaching sample). A gap in the samples longer than {@code max(duration, 10 min)} starts
 *       the run again.</li>
 *   <li>Resolves after {@link #CLEAR_AFTER} consecutive samples within the threshold.</li>
 *   <li>Whether an alert is open comes from the database when the agent's first sample arrives,
 *       after a restart and after every (re)connect ({@link AgentStates}); the run of breaching
 *       samples then starts afresh.</li>
 * </ul>
 *
 * <p>Samples arrive on the node-local {@link MetricsReceived#TOPIC}: in a cluster each agent's
 * thresholds are evaluated once, by the node that holds its connection.
 */
final class ThresholdEvaluator {
    static final int CLEAR_AFTER = 2;
    private static final Duration GAP_RESET = Duration.ofMinutes(10);

    private static final class State {
        Instant breachSince;
        Instant lastAt;
        int okStreak;
        boolean alerting;
        CheckParams params;
    }

    private final CheckCatalog catalog;
    private final AgentDirectory agents;
    private final AlertEngine engine;
    private final CheckStore results;
    private final AgentStates<State> states;

    ThresholdEvaluator(CheckCatalog catalog, AgentDirectory agents, AlertEngine engine, CheckStore results,
                       Function<UUID, Set<String>> openCheckKeys) {
        this.catalog = catalog;
        this.agents = agents;
        this.engine = engine;
        this.results = results;
        this.states = new AgentStates<>(openCheckKeys);
    }

    void onSample(MetricsReceived sample) {
        if (!catalog.anyOfKind("metric_threshold")) {
            return;
        }
        String site = agents.get(sample.agentId()).map(AgentDirectory.AgentInfo::site).orElse(null);
        for (Check check : catalog.effective(sample.agentId(), site)) {
            if (!check.kind().equals("metric_threshold")) {
                continue;
            }
            Double value = sample.values().get(check.params().metric());
            if (value == null || value.isNaN()) {
                continue;
            }
            State state = states.get(sample.agentId(), check.key(), alerting -> {
                State s = new State();
                s.alerting = alerting;
                return s;
            });
            synchronized (state) {
                evaluate(sample.agentId(), check, state, value, sample.sampledAt());
            }
        }
    }

    private void evaluate(UUID agentId, Check check, State state, double value, Instant at) {
        CheckParams p = check.params();
        if (!p.equals(state.params)) {
            // New settings (PATCH): the run so far was measured against the old threshold.
            state.params = p;
            state.breachSince = null;
            state.okStreak = 0;
        }
        if (state.lastAt != null && at.isBefore(state.lastAt)) {
            return; // a late, out-of-order sample says nothing about now
        }
        Duration duration = Duration.ofSeconds(p.durationSeconds() == null ? 0 : p.durationSeconds());
        boolean gap = state.lastAt != null && Duration.between(state.lastAt, at).compareTo(duration.compareTo(GAP_RESET) > 0 ? duration : GAP_RESET) > 0;
        state.lastAt = at;
        boolean breach = ">".equals(p.operator()) ? value > p.threshold() : value < p.threshold();
        String shown = p.metric() + " = " + Durations.number(round(value));
        if (breach) {
            state.okStreak = 0;
            if (state.breachSince == null || gap) {
                state.breachSince = at;
            }
            if (!state.alerting && Duration.between(state.breachSince, at).compareTo(duration) >= 0) {
                engine.raise(agentId, check.key(), check.id(), check.kind(), check.severity(), check.title(),
                        shown + " (threshold " + p.operator() + " " + Durations.number(p.threshold())
                                + (duration.isZero() ? "" : " for " + Durations.format((int) duration.toSeconds())) + ")",
                        Durations.number(round(value)));
                state.alerting = true;
                results.saveResult(agentId, check.key(), check.severity(), shown, at);
            }
        } else {
            state.breachSince = null;
            state.okStreak++;
            if (state.alerting && state.okStreak >= CLEAR_AFTER) {
                engine.clear(agentId, check.key());
                state.alerting = false;
                results.saveResult(agentId, check.key(), "ok", shown, at);
            }
        }
    }

    /** An alert of this check was resolved because the check went away: start clean if it comes back. */
    void forget(UUID agentId, String checkKey) {
        states.forget(agentId, checkKey);
    }

    /** The agent connected: its open alerts are read again with its next sample. */
    void forgetAgent(UUID agentId) {
        states.forgetAgent(agentId);
    }

    private static double round(double v) {
        return Math.round(v * 100.0) / 100.0;
    }
}
