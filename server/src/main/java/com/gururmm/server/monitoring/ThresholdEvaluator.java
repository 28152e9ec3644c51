package com.gururmm.server.monitoring;

import com.gururmm.server.events.MetricsReceived;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

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
 *   <li>After a restart, whether an alert is open comes from the database (read once at start);
 *       the run of breaching samples starts afresh.</li>
 * </ul>
 */
final class ThresholdEvaluator {
    static final int CLEAR_AFTER = 2;
    private static final Duration GAP_RESET = Duration.ofMinutes(10);

    private record Key(UUID agentId, String checkKey) {
    }

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
    private final Set<String> openAtStart;
    private final Map<Key, State> states = new ConcurrentHashMap<>();

    ThresholdEvaluator(CheckCatalog catalog, AgentDirectory agents, AlertEngine engine, CheckStore results, Set<String> openAtStart) {
        this.catalog = catalog;
        this.agents = agents;
        this.engine = engine;
        this.results = results;
        this.openAtStart = openAtStart;
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
            Key key = new Key(sample.agentId(), check.key());
            State state = states.computeIfAbsent(key, k -> {
                State s = new State();
                s.alerting = openAtStart.contains(AlertStore.openKey(k.agentId(), k.checkKey()));
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
        states.remove(new Key(agentId, checkKey));
    }

    private static double round(double v) {
        return Math.round(v * 100.0) / 100.0;
    }
}
