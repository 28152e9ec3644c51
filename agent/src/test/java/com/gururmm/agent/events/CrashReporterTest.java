package com.gururmm.agent.events;

import static org.assertj.core.api.Assertions.assertThat;

import com.gururmm.agent.state.StateDir;
import com.gururmm.protocol.wire.AgentEvent;
import com.gururmm.protocol.wire.AgentMessage;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The crash reporter's logic on Linux with a fake event-log source serving the reconstructed
 * fixtures (the real wevtutil call cannot run here): each occurrence is sent until acknowledged,
 * then never again, across restarts; old history is not reported.
 */
class CrashReporterTest {
    /** A week after the newest fixture event: the 2025-11-20 bugcheck is older than 30 days. */
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-02-21T10:00:00Z"), ZoneOffset.UTC);
    @TempDir
    Path dir;
    private StateDir state;
    private final List<AgentEvent> sentEvents = new ArrayList<>();
    private final List<AgentMessage.AgentEvents> frames = new ArrayList<>();
    private final AtomicBoolean online = new AtomicBoolean(true);
    private final AtomicReference<String> log = new AtomicReference<>();

    @BeforeEach
    void setUp() throws IOException {
        state = new StateDir(dir.resolve("state"));
        state.prepare();
        log.set(BugcheckParserTest.fixture("system-crashes.xml"));
    }

    private CrashReporter reporter() {
        return new CrashReporter(log::get, state, CLOCK, message -> {
            if (!online.get()) {
                return false;
            }
            AgentMessage.AgentEvents frame = (AgentMessage.AgentEvents) message;
            frames.add(frame);
            sentEvents.addAll(frame.events());
            return true;
        });
    }

    @Test
    void eachRecentOccurrenceIsSentUntilAcknowledgedThenNeverAgain() {
        CrashReporter reporter = reporter();
        reporter.check();
        assertThat(frames).hasSize(1);
        // Oldest first; the 0x133 bugcheck of November is older than 30 days and not reported.
        assertThat(frames.getFirst().events()).extracting(AgentEvent::eventKey).containsExactly(
                key(47011, "2026-02-02T17:05:41.882Z"), key(48190, "2026-02-14T09:30:58.109Z"), key(48213, "2026-02-14T09:31:12.527Z"));

        // No ack yet (the link dropped): the reconnect's welcome and the next check send them again.
        reporter.sendPending();
        reporter.check();
        assertThat(frames).hasSize(3);
        assertThat(frames.get(2).events()).hasSize(3);

        reporter.onAck(List.of(key(47011, "2026-02-02T17:05:41.882Z"), key(48190, "2026-02-14T09:30:58.109Z")));
        // The unacknowledged one is sent on at once.
        assertThat(frames).hasSize(4);
        assertThat(frames.get(3).events()).extracting(AgentEvent::eventKey).containsExactly(key(48213, "2026-02-14T09:31:12.527Z"));
        reporter.onAck(List.of(key(48213, "2026-02-14T09:31:12.527Z")));
        assertThat(reporter.pendingKeys()).isEmpty();

        reporter.check();
        assertThat(frames).hasSize(4);

        // A restart reads what was acknowledged from the state dir: nothing is sent again.
        CrashReporter restarted = reporter();
        restarted.check();
        assertThat(frames).hasSize(4);
    }

    @Test
    void aNewCrashAfterTheFirstReportIsSentAlone() throws IOException {
        CrashReporter reporter = reporter();
        reporter.check();
        reporter.onAck(frames.getFirst().events().stream().map(AgentEvent::eventKey).toList());
        String newer = BugcheckParserTest.fixture("system-crashes.xml").replaceFirst("48213", "48777")
                .replaceFirst("2026-02-14T09:31:12.5270000Z", "2026-02-20T22:10:00.0000000Z");
        log.set(newer + log.get());
        reporter.check();
        assertThat(frames).hasSize(2);
        assertThat(frames.get(1).events()).extracting(AgentEvent::eventKey).containsExactly(key(48777, "2026-02-20T22:10:00Z"));
    }

    @Test
    void offlineOrBrokenSourceLosesNothing() {
        online.set(false);
        CrashReporter reporter = reporter();
        reporter.check();
        assertThat(frames).isEmpty();
        assertThat(reporter.pendingKeys()).hasSize(3);
        log.set("<Event><System>not closed");
        reporter.check(); // logged, not thrown; what is pending stays
        assertThat(reporter.pendingKeys()).hasSize(3);
        online.set(true);
        reporter.sendPending();
        assertThat(frames).hasSize(1);
        assertThat(frames.getFirst().events()).hasSize(3);
    }

    private static String key(int record, String time) {
        return "windows-system:" + record + ":" + Instant.parse(time).toEpochMilli();
    }
}
