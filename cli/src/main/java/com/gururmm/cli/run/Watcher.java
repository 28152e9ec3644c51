package com.gururmm.cli.run;

import com.gururmm.client.EventStream;
import com.gururmm.client.GuruClient;
import com.gururmm.protocol.CommandStatus;
import com.gururmm.protocol.api.Commands.CommandView;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * Waits until every command is terminal. The server guarantees no command stays
 * {@code running} forever (SPEC section 3), so the loop ends once its agents are
 * reachable; a command queued for an offline agent waits as long as the agent stays away.
 *
 * <p>No polling. One command is read with {@code ?wait=} (long poll), which the server answers
 * the moment it finishes. Several (a bulk run) follow the server's event stream: the stream is
 * opened first, then every command is read, then a command is read again whenever an event
 * says its status changed — so a change between the first read and the subscription is not
 * missed. If no event arrives for {@link #WAIT_SECONDS} (or the stream drops), every
 * unfinished command is read again, so a lost event delays the answer, never loses it.
 * {@code onChange} sees every snapshot in which some status changed.
 */
final class Watcher {
    /** Seconds per long-poll request; a command still running after it is simply asked again. */
    private static final int WAIT_SECONDS = 25;

    private final GuruClient client;

    Watcher(GuruClient client) {
        this.client = client;
    }

    Map<UUID, CommandView> await(Collection<UUID> ids, Consumer<Map<UUID, CommandView>> onChange) {
        if (ids.size() > 1) {
            return followEvents(ids, onChange);
        }
        Map<UUID, CommandView> latest = new LinkedHashMap<>();
        for (UUID id : ids) {
            latest.put(id, client.command(id));
        }
        onChange.accept(Map.copyOf(latest));
        while (!latest.values().stream().allMatch(Watcher::terminal)) {
            for (UUID id : ids) {
                CommandView previous = latest.get(id);
                if (terminal(previous)) {
                    continue;
                }
                CommandView now = client.command(id, WAIT_SECONDS);
                latest.put(id, now);
                if (!previous.status().equals(now.status())) {
                    onChange.accept(Map.copyOf(latest));
                }
            }
        }
        return latest;
    }

    private Map<UUID, CommandView> followEvents(Collection<UUID> ids, Consumer<Map<UUID, CommandView>> onChange) {
        Map<UUID, CommandView> latest = new LinkedHashMap<>();
        EventStream events = client.events("command.status", null, null);
        try {
            for (UUID id : ids) {
                latest.put(id, client.command(id));
            }
            onChange.accept(Map.copyOf(latest));
            while (!latest.values().stream().allMatch(Watcher::terminal)) {
                EventStream.Event event = events.next(Duration.ofSeconds(WAIT_SECONDS));
                List<UUID> reread;
                if (event != null && event.data() != null && event.data().hasNonNull("command_id")) {
                    UUID changed = UUID.fromString(event.data().get("command_id").asText());
                    reread = latest.containsKey(changed) && !terminal(latest.get(changed)) ? List.of(changed) : List.of();
                } else {
                    // Quiet, reset or dropped: read every unfinished command; reopen a dropped stream.
                    reread = latest.entrySet().stream().filter(e -> !terminal(e.getValue())).map(Map.Entry::getKey).toList();
                    if (events.ended()) {
                        events.close();
                        events = client.events("command.status", null, null);
                    }
                }
                boolean changed = false;
                for (UUID id : reread) {
                    CommandView now = client.command(id);
                    changed |= !latest.put(id, now).status().equals(now.status());
                }
                if (changed) {
                    onChange.accept(Map.copyOf(latest));
                }
            }
            return latest;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for commands", e);
        } finally {
            events.close();
        }
    }

    private static boolean terminal(CommandView view) {
        return CommandStatus.parse(view.status()).map(CommandStatus::isTerminal).orElse(true);
    }
}
