package com.gururmm.server.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.gururmm.server.command.OutputSettings;
import com.gururmm.server.config.ConfigException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Live-output events in the journal: opt-in for clients, and bounded by their text, not only by count. */
@Timeout(30)
class EventJournalOutputTest {
    private static CommandOutputReceived chunk(long seq, int chars) {
        return new CommandOutputReceived(UUID.randomUUID(), UUID.randomUUID(), seq, "stdout", 0, "x".repeat(chars), Instant.now(), null, "n");
    }

    @Test
    void outputIsAKnownTypeButNotADefaultOne() {
        assertThat(EventJournal.types()).contains("command.output", "command.status");
        assertThat(EventJournal.defaultTypes()).doesNotContain("command.output").contains("command.status", "agent.presence");
        assertThat(EventRoutes.parseTypes(null)).doesNotContain("command.output");
        assertThat(EventRoutes.parseTypes("command.output")).containsExactly("command.output");
    }

    @Test
    void theRingHoldsNoMoreOutputTextThanItsBudget() {
        try (InProcessEventBus bus = new InProcessEventBus(); EventJournal journal = new EventJournal(bus, 10_000, "test")) {
            List<EventJournal.Entry> live = new ArrayList<>();
            EventJournal.Resume first = journal.attach(null, live::add);
            assertThat(first.gap()).isFalse();
            journal.append("agent.presence", null, new AgentPresence(UUID.randomUUID(), true, Instant.now()));
            int chunk = 16 * 1024;
            long chunks = EventJournal.OUTPUT_BUDGET_CHARS / chunk * 3;
            for (long i = 1; i <= chunks; i++) {
                journal.append("command.output", null, chunk(i, chunk));
            }
            assertThat(live).hasSize((int) chunks + 1);
            // Resuming from the first event: its successors left the ring early for the budget, so it is a gap.
            assertThat(journal.attach(journal.idOf(live.getFirst()), e -> { }).gap()).isTrue();
            // Resuming from a recent one works, and what is replayed stays within the budget.
            EventJournal.Resume recent = journal.attach(journal.idOf(live.get(live.size() - 10)), e -> { });
            assertThat(recent.gap()).isFalse();
            assertThat(recent.missed()).hasSize(9);
            EventJournal.Resume oldestKept = journal.attach(journal.idOf(live.get(live.size() - (int) (EventJournal.OUTPUT_BUDGET_CHARS / chunk))),
                    e -> { });
            assertThat(oldestKept.missed().stream().mapToLong(EventJournal::weight).sum()).isLessThanOrEqualTo(EventJournal.OUTPUT_BUDGET_CHARS);
        }
    }

    @Test
    void outputSettingsAreValidatedByName() {
        assertThat(OutputSettings.defaults().maxChars()).isEqualTo(4096L * 1024);
        assertThat(OutputSettings.fromMap(Map.of("GURURMM_COMMAND_OUTPUT_RETENTION_HOURS", "2")).retention().toHours()).isEqualTo(2);
        assertThatThrownBy(() -> OutputSettings.fromMap(Map.of("GURURMM_COMMAND_OUTPUT_MAX_KB", "1")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("GURURMM_COMMAND_OUTPUT_MAX_KB");
        assertThatThrownBy(() -> OutputSettings.fromMap(Map.of("GURURMM_COMMAND_OUTPUT_RETENTION_HOURS", "soon")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("GURURMM_COMMAND_OUTPUT_RETENTION_HOURS");
    }
}
