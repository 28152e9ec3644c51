package com.gururmm.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.gururmm.client.GuruClient;
import com.gururmm.protocol.api.AgentEvents.AgentEventView;
import com.gururmm.server.events.AgentEventReported;
import com.gururmm.testkit.AgentProcess;
import com.gururmm.testkit.TestDatabase;
import com.gururmm.testkit.TestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * A real agent process reports a Windows bugcheck to a real server, once. The agent runs on
 * Linux, where there is no event log: {@code GURURMM_TEST_CRASH_EVENTS_FILE} points its
 * reporter at event XML shaped like wevtutil's output (reconstructed from Microsoft's event
 * schema, not captured), so everything after the wevtutil call is the code Windows runs.
 */
class CrashReportTest {
    private static final Instant CRASH = Instant.now().minus(3, ChronoUnit.HOURS).truncatedTo(ChronoUnit.MILLIS);

    static String bugcheckXml(long recordId, Instant at) {
        return "<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System>"
                + "<Provider Name='Microsoft-Windows-WER-SystemErrorReporting' Guid='{ABCE23E7-DE45-4366-8631-84FA6C525952}' EventSourceName='BugCheck'/>"
                + "<EventID Qualifiers='16384'>1001</EventID><Version>0</Version><Level>2</Level><Task>0</Task><Opcode>0</Opcode>"
                + "<Keywords>0x80000000000000</Keywords><TimeCreated SystemTime='" + at + "'/><EventRecordID>" + recordId + "</EventRecordID>"
                + "<Correlation/><Execution ProcessID='0' ThreadID='0'/><Channel>System</Channel><Computer>WS-TEST-01</Computer><Security/></System>"
                + "<EventData><Data Name='param1'>0x000000d1 (0x0000000000000028, 0x0000000000000002, 0x0000000000000000, 0xfffff8052f3a1b2c)</Data>"
                + "<Data Name='param2'>C:\\WINDOWS\\MEMORY.DMP</Data><Data Name='param3'>0b6f7c1e-3a2d-4e5f-9a8b-7c6d5e4f3a2b</Data></EventData></Event>";
    }

    @Test
    void aBugcheckReachesTheServerOnceAcrossRestartsOfTheAgent() throws Exception {
        Path events = Files.createTempFile("gururmm-system-log-", ".xml");
        Files.writeString(events, bugcheckXml(5001, CRASH));
        try (TestServer server = TestServer.start(TestDatabase.Kind.H2)) {
            List<AgentEventReported> published = Collections.synchronizedList(new ArrayList<>());
            var subscription = server.server().bus().subscribe(AgentEventReported.TOPIC, published::add);
            GuruClient admin = server.adminClient();
            AgentProcess agent = AgentProcess.create(server.url(), server.enrollmentToken()).env("GURURMM_TEST_CRASH_EVENTS_FILE", events.toString());
            try {
                UUID agentId = agent.start().awaitOnline(admin);
                await().atMost(Duration.ofSeconds(60)).until(() -> !admin.agentEvents(agentId, null, null).isEmpty());
                AgentEventView stored = admin.agentEvents(agentId, null, null).getFirst();
                assertThat(stored.kind()).isEqualTo("bugcheck");
                assertThat(stored.severity()).isEqualTo("critical");
                assertThat(stored.summary()).isEqualTo("Bugcheck 0x000000d1 (DRIVER_IRQL_NOT_LESS_OR_EQUAL); dump saved to C:\\WINDOWS\\MEMORY.DMP");
                assertThat(stored.occurredAt()).isEqualTo(CRASH);
                assertThat(stored.eventKey()).isEqualTo("windows-system:5001:" + CRASH.toEpochMilli());
                assertThat(stored.details()).containsEntry("code", "0x000000d1").containsEntry("computer", "WS-TEST-01");
                await().atMost(Duration.ofSeconds(10)).until(() -> published.size() == 1);
                assertThat(published.getFirst().agentId()).isEqualTo(agentId);
                // Acknowledged, so the agent wrote it down.
                Path reported = agent.stateDir().resolve("reported-events");
                await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(reported)
                        && Files.readString(reported).contains(stored.eventKey()));

                // A restart reads the state dir: not reported again. Then the memory is lost (a
                // restored backup, say): it is sent again and the server still stores it once.
                agent.stop();
                agent.start().awaitOnline(admin);
                // Past the reporter's first check of this run (5-15 s after start), which found nothing new.
                await().atMost(Duration.ofSeconds(60)).until(() -> agent.log().split("checked the event log for crash events", -1).length == 3);
                assertThat(agent.log()).contains("checked the event log for crash events: 1 found, 0 not reported yet");
                Files.delete(reported);
                agent.stop();
                Files.writeString(events, bugcheckXml(5002, CRASH.plusSeconds(600)) + bugcheckXml(5001, CRASH));
                agent.start().awaitOnline(admin);
                await().atMost(Duration.ofSeconds(60)).until(() -> admin.agentEvents(agentId, null, null).size() == 2);
                await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(reported)
                        && Files.readString(reported).contains("windows-system:5002:"));
                assertThat(Files.readString(reported)).contains(stored.eventKey());
                assertThat(admin.agentEvents(agentId, null, null)).extracting(AgentEventView::eventKey)
                        .containsExactly("windows-system:5002:" + CRASH.plusSeconds(600).toEpochMilli(), stored.eventKey());
                // Found (and sent) at the first start and after the memory was lost, not at the restart in between.
                String found = "found bugcheck event " + stored.eventKey();
                assertThat(agent.log().split(java.util.regex.Pattern.quote(found), -1)).as(agent.log()).hasSize(3);
                Thread.sleep(300);
                assertThat(published).extracting(AgentEventReported::eventKey)
                        .containsExactly(stored.eventKey(), "windows-system:5002:" + CRASH.plusSeconds(600).toEpochMilli());
            } finally {
                subscription.close();
                agent.close();
            }
        }
    }
}
