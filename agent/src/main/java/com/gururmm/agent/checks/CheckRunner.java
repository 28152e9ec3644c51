package com.gururmm.agent.checks;

import com.gururmm.agent.exec.ProcessRunner;
import com.gururmm.agent.state.StateDir;
import com.gururmm.protocol.wire.AgentMessage;
import com.gururmm.protocol.wire.AgentMessage.CheckResult;
import com.gururmm.protocol.wire.ServerMessage.AgentCheck;
import com.gururmm.protocol.wire.ServerMessage.ChecksConfig;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the checks the server pushed ({@code checks_config}) on their intervals and reports each
 * result. A new config replaces the old one: unchanged checks keep their schedule, changed and new
 * ones start after a short random delay (so a fleet does not run a new check in step), removed
 * ones stop. Results go to the {@link CheckOutbox} first and are sent while connected; after a
 * reconnect everything unacknowledged is sent again, oldest first.
 */
public final class CheckRunner implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(CheckRunner.class);
    private static final int MAX_BATCH = 100;

    private final CheckProbes probes;
    private final CheckOutbox outbox;
    private final Predicate<AgentMessage> sender;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("agent-checks").daemon().factory());
    private final Map<String, AgentCheck> checks = new HashMap<>();
    private final Map<String, ScheduledFuture<?>> schedules = new HashMap<>();
    /** Keys whose run is in progress: a slow check is never started twice at once. */
    private final java.util.Set<String> running = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /** @param sender sends a frame if connected; false when it could not */
    public CheckRunner(String os, ProcessRunner runner, StateDir state, Predicate<AgentMessage> sender) {
        this.probes = new CheckProbes(os, runner, System.getenv());
        this.outbox = new CheckOutbox(state);
        this.sender = sender;
    }

    public synchronized void configure(ChecksConfig config) {
        Map<String, AgentCheck> next = new HashMap<>();
        for (AgentCheck c : config.checks()) {
            if (c != null && c.key() != null && c.kind() != null && c.intervalSeconds() > 0) {
                next.put(c.key(), c);
            }
        }
        for (String key : List.copyOf(checks.keySet())) {
            if (!next.containsKey(key) || !next.get(key).equals(checks.get(key))) {
                ScheduledFuture<?> f = schedules.remove(key);
                if (f != null) {
                    f.cancel(false);
                }
                checks.remove(key);
            }
        }
        for (AgentCheck c : next.values()) {
            if (checks.containsKey(c.key())) {
                continue;
            }
            checks.put(c.key(), c);
            long intervalMillis = c.intervalSeconds() * 1000L;
            long firstMillis = ThreadLocalRandom.current().nextLong(Math.min(intervalMillis, 5_000) + 1);
            schedules.put(c.key(), timer.scheduleAtFixedRate(() -> launch(c), firstMillis, intervalMillis, TimeUnit.MILLISECONDS));
        }
        log.info("running {} check(s) from the server: {}", checks.size(), checks.keySet());
    }

    private void launch(AgentCheck check) {
        if (!running.add(check.key())) {
            return;
        }
        Thread.ofVirtual().name("check-" + check.kind()).start(() -> {
            try {
                CheckOutcome outcome = probes.run(check);
                synchronized (this) {
                    if (!check.equals(checks.get(check.key()))) {
                        return; // replaced or removed while it ran
                    }
                }
                CheckResult result = new CheckResult(outbox.nextSeq(), check.key(), outcome.status(), outcome.output(), Instant.now());
                outbox.add(result);
                sender.test(new AgentMessage.CheckResults(List.of(result)));
            } catch (RuntimeException e) {
                log.warn("check {} failed: {}", check.key(), e.toString());
            } finally {
                running.remove(check.key());
            }
        });
    }

    /** After the welcome: everything not yet acknowledged, oldest first. */
    public void resendPending() {
        List<CheckResult> all = outbox.all();
        for (int i = 0; i < all.size(); i += MAX_BATCH) {
            if (!sender.test(new AgentMessage.CheckResults(all.subList(i, Math.min(all.size(), i + MAX_BATCH))))) {
                return;
            }
        }
    }

    public void onAck(long upToSeq) {
        outbox.ack(upToSeq);
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
