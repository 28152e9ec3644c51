package com.gururmm.cli.run;

import com.gururmm.client.GuruClient;
import com.gururmm.protocol.CommandStatus;
import com.gururmm.protocol.api.Commands.CommandView;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * Polls commands until every one is terminal. The server guarantees no command stays
 * {@code running} forever (SPEC section 3), so the loop ends once its agents are
 * reachable; a command queued for an offline agent waits as long as the agent stays away.
 *
 * <p>Polling starts fast so short scripts feel instant and backs off to once a second, so
 * a long run on many agents does not hammer the server. {@code onChange} sees every
 * snapshot in which some status changed.
 */
final class Watcher {
    private static final long FIRST_POLL_MILLIS = 100;
    private static final long MAX_POLL_MILLIS = 1_000;

    private final GuruClient client;

    Watcher(GuruClient client) {
        this.client = client;
    }

    Map<UUID, CommandView> await(Collection<UUID> ids, Consumer<Map<UUID, CommandView>> onChange) {
        Map<UUID, CommandView> latest = new LinkedHashMap<>();
        long pause = FIRST_POLL_MILLIS;
        while (true) {
            boolean changed = false;
            for (UUID id : ids) {
                CommandView previous = latest.get(id);
                if (previous != null && terminal(previous)) {
                    continue;
                }
                CommandView now = client.command(id);
                latest.put(id, now);
                changed |= previous == null || !previous.status().equals(now.status());
            }
            if (changed) {
                onChange.accept(Map.copyOf(latest));
            }
            if (latest.values().stream().allMatch(Watcher::terminal)) {
                return latest;
            }
            sleep(pause);
            pause = Math.min(MAX_POLL_MILLIS, pause * 2);
        }
    }

    private static boolean terminal(CommandView view) {
        return CommandStatus.parse(view.status()).map(CommandStatus::isTerminal).orElse(true);
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for commands", e);
        }
    }
}
