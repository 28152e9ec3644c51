package com.gururmm.server.release;

import com.gururmm.protocol.api.Releases.Rollout;
import com.gururmm.protocol.api.Releases.UpdateState;
import com.gururmm.protocol.release.ReleaseName;
import com.gururmm.protocol.release.Version;
import com.gururmm.protocol.wire.AgentMessage.UpdateStatus;
import com.gururmm.protocol.wire.ServerMessage.UpdateOffer;
import com.gururmm.server.agent.AgentLink;
import com.gururmm.server.agent.AgentRow;
import com.gururmm.server.agent.AgentStore;
import com.gururmm.server.agent.ConnectionRegistry;
import com.gururmm.server.audit.AuditLog;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides which build each agent should run and tells it, and records what agents report back.
 *
 * <p>Offers: an agent is offered the newest candidate of the SPEC section 6 rule
 * ({@link ReleaseCatalog#candidates}) that is not paused, whose staged rollout includes it
 * ({@link RolloutPolicy}), and that has not already failed on this agent (a build that broke a
 * machine is not retried there; a newer one is). Offers go out when an agent connects and, for
 * every online agent, whenever the catalog or a rollout changes ({@link #pushIfChanged()}, run
 * every couple of seconds by the server).
 *
 * <p>Auto-pause: when more than {@code failurePercent} of the agents that finished an update
 * to a build report it failed or rolled back, the build's rollout is paused, with the reason
 * recorded and audited, so one bad build cannot work its way through the whole fleet.
 */
public final class UpdateCoordinator {
    private static final Logger log = LoggerFactory.getLogger(UpdateCoordinator.class);
    private static final Set<String> STATES = Set.of("downloading", "restarting", "succeeded", "failed", "rolled_back", "unsupported");

    private final DownloadsScanner scanner;
    private final RolloutStore rollouts;
    private final UpdateStore updates;
    private final AgentStore agents;
    private final ConnectionRegistry registry;
    private final AuditLog audit;
    private final Clock clock;
    private final int failurePercent;
    private volatile Object lastPushed;
    /** Completed {@link #pushIfChanged()} rounds: lets a caller wait until the server has decided after a change. */
    private final java.util.concurrent.atomic.AtomicLong rounds = new java.util.concurrent.atomic.AtomicLong();

    public UpdateCoordinator(DownloadsScanner scanner, RolloutStore rollouts, UpdateStore updates, AgentStore agents,
                             ConnectionRegistry registry, AuditLog audit, Clock clock, int failurePercent) {
        this.scanner = scanner;
        this.rollouts = rollouts;
        this.updates = updates;
        this.agents = agents;
        this.registry = registry;
        this.audit = audit;
        this.clock = clock;
        this.failurePercent = failurePercent;
    }

    /**
     * The build this agent should move to now, if any.
     *
     * @param staged false to ignore the rollout percentage (not a pause): for an agent that cannot be served until it updates
     */
    Optional<Release> offerFor(AgentRow agent, ReleaseCatalog catalog, Map<String, Rollout> rolloutByFile, boolean staged) {
        Optional<UpdateState> last = updates.get(agent.id());
        for (Release candidate : catalog.candidates(agent.os(), agent.arch(), agent.channel(), Version.parseLenient(agent.version()))) {
            if (!candidate.file().endsWith(".jar")) {
                continue; // this agent installs .jar builds only; an .exe or archive beside it is for installers
            }
            Rollout rollout = rolloutByFile.getOrDefault(candidate.file(), Rollout.FULL);
            if (rollout.paused() || (staged && !RolloutPolicy.includes(agent.id(), candidate.name().version().toString(), rollout.percent()))) {
                continue;
            }
            if (last.isPresent() && last.get().file().equals(candidate.file()) && UpdateStore.FAILED.contains(last.get().state())) {
                continue;
            }
            return Optional.of(candidate);
        }
        return Optional.empty();
    }

    /** Called when an agent has said hello: offer it its build, if there is a newer one for it. */
    public void onAgentConnected(UUID agentId) {
        agents.findById(agentId).ifPresent(row -> offer(row, scanner.catalog(), rollouts.all(), true, offer -> registry.send(row.id(), offer)));
    }

    /**
     * Called for an agent whose protocol is too old to be welcomed, before it is closed: offers its
     * newest build over {@code link} (which is not registered), ignoring a staged rollout's
     * percentage, since the agent can do nothing at all until it updates; a paused build, or one
     * that already failed on this agent, is still not offered. Returns the offer sent, if any.
     */
    public Optional<UpdateOffer> offerToOutdated(AgentLink link) {
        return agents.findById(link.agentId()).flatMap(row -> offer(row, scanner.catalog(), rollouts.all(), false, link::send));
    }

    private Optional<UpdateOffer> offer(AgentRow row, ReleaseCatalog catalog, Map<String, Rollout> rolloutByFile, boolean staged,
                                        Predicate<UpdateOffer> send) {
        return offerFor(row, catalog, rolloutByFile, staged).flatMap(release -> {
            Optional<UpdateState> last = updates.get(row.id());
            boolean inProgress = last.isPresent() && last.get().file().equals(release.file()) && UpdateStore.PENDING.contains(last.get().state());
            UpdateOffer offer = new UpdateOffer(release.file(), release.name().version().toString(), release.name().os(),
                    release.name().arch(), release.sha256(), release.signature(), release.size(), "/downloads/" + release.file());
            if (!send.test(offer)) {
                return Optional.empty();
            }
            if (!inProgress) {
                updates.put(row.id(), row.version(), offer.version(), release.file(), "offered", null, true, clock.instant());
                log.info("offered {} to agent {} (running {})", release.file(), row.id(), row.version());
            }
            return Optional.of(offer);
        });
    }

    /** Offers builds to every online agent if the catalog or any rollout changed since the last push. */
    public void pushIfChanged() {
        ReleaseCatalog catalog = scanner.catalog();
        Map<String, Rollout> rolloutByFile = rollouts.all();
        Object key = List.of(catalog, rolloutByFile);
        if (!key.equals(lastPushed)) {
            for (UUID agentId : registry.onlineAgentIds()) {
                agents.findById(agentId).ifPresent(row -> offer(row, catalog, rolloutByFile, true, offer -> registry.send(row.id(), offer)));
            }
            lastPushed = key;
        }
        rounds.incrementAndGet();
    }

    /**
     * How many push rounds have finished. Rounds run one at a time, so once this has grown by two
     * since a change, a whole round that started after the change has made (and sent) its offers.
     */
    public long completedRounds() {
        return rounds.get();
    }

    /** Stores an agent's update report; refuses nonsense with a sentence for the agent's log. */
    public Optional<String> onStatus(UUID agentId, UpdateStatus status) {
        if (status.state() == null || !STATES.contains(status.state())) {
            return Optional.of("update_status state must be one of " + String.join(", ", STATES.stream().sorted().toList())
                    + "; got '" + status.state() + "'");
        }
        if (status.file() == null || ReleaseName.parse(status.file()).isEmpty() || status.targetVersion() == null
                || status.targetVersion().length() > 50 || (status.currentVersion() != null && status.currentVersion().length() > 50)) {
            return Optional.of("update_status needs a release file name, target_version and current_version of at most 50 characters");
        }
        Instant now = clock.instant();
        Optional<UpdateState> last = updates.get(agentId);
        if (last.isEmpty() || !last.get().file().equals(status.file())) {
            // Only the release this agent was offered: otherwise one agent (or a stolen agent
            // credential) could report failures for any build and pause its rollout.
            return Optional.of("update_status for " + status.file() + ", which was not offered to this agent; ignored");
        }
        boolean newAttempt = false;
        updates.put(agentId, status.currentVersion(), status.targetVersion(), status.file(), status.state(), status.reason(), newAttempt, now);
        switch (status.state()) {
            case "succeeded" -> {
                log.info("agent {} updated to {}", agentId, status.targetVersion());
                audit.record("agent:" + agentId, "agent.update.succeeded", agentId.toString(), status.file());
            }
            case "failed", "rolled_back" -> {
                log.warn("agent {} update to {} {}: {}", agentId, status.file(), status.state(), status.reason());
                audit.record("agent:" + agentId, "agent.update." + status.state(), agentId.toString(), status.file() + ": " + status.reason());
                maybeAutoPause(status.file(), status.reason());
            }
            default -> log.debug("agent {} update to {}: {}", agentId, status.file(), status.state());
        }
        return Optional.empty();
    }

    private void maybeAutoPause(String file, String lastReason) {
        int[] outcomes = updates.outcomes(file);
        int took = outcomes[0];
        int failed = outcomes[1];
        Rollout rollout = rollouts.get(file);
        if (took == 0 || rollout.paused() || (long) failed * 100 <= (long) failurePercent * took) {
            return;
        }
        String reason = "Paused automatically: " + failed + " of " + took + " agents that took " + file
                + " reported a failed or rolled-back update, more than the " + failurePercent
                + "% GURURMM_ROLLOUT_FAILURE_PERCENT allows. Last failure: " + lastReason
                + ". Fix the build (or publish a newer one), then resume with POST /api/releases/" + file + "/rollout {\"paused\": false}.";
        rollouts.put(file, rollout.percent(), true, clip(reason), "system", clock.instant());
        audit.record("system", "release.rollout.auto_pause", file, reason);
        log.error("release {}: {}", file, reason);
    }

    private static String clip(String text) {
        return text.length() <= 1000 ? text : text.substring(0, 997) + "...";
    }
}
