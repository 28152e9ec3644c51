package com.gururmm.agent.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.gururmm.protocol.wire.AgentEvent;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The Windows crash-event parser on Linux, against event XML reconstructed from Microsoft's
 * event schema (src/test/resources/eventlog/README.md: written by hand, not captured).
 */
class BugcheckParserTest {
    static String fixture(String name) throws IOException {
        try (InputStream in = BugcheckParserTest.class.getResourceAsStream("/eventlog/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void readsBugchecksAndUnexpectedShutdownsAndSkipsTheRest() throws IOException {
        List<AgentEvent> events = BugcheckParser.parse(fixture("system-crashes.xml"));
        assertThat(events).extracting(AgentEvent::eventKey).containsExactly(
                "windows-system:48213:" + Instant.parse("2026-02-14T09:31:12.527Z").toEpochMilli(),
                "windows-system:48190:" + Instant.parse("2026-02-14T09:30:58.109Z").toEpochMilli(),
                "windows-system:47011:" + Instant.parse("2026-02-02T17:05:41.882Z").toEpochMilli(),
                "windows-system:31877:" + Instant.parse("2025-11-20T08:12:03.004Z").toEpochMilli());

        AgentEvent bugcheck = events.get(0);
        assertThat(bugcheck.kind()).isEqualTo("bugcheck");
        assertThat(bugcheck.severity()).isEqualTo("critical");
        assertThat(bugcheck.occurredAt()).isEqualTo(Instant.parse("2026-02-14T09:31:12.527Z"));
        assertThat(bugcheck.summary()).isEqualTo("Bugcheck 0x0000009f (DRIVER_POWER_STATE_FAILURE); dump saved to C:\\WINDOWS\\MEMORY.DMP");
        assertThat(bugcheck.detailMap())
                .containsEntry("code", "0x0000009f")
                .containsEntry("name", "DRIVER_POWER_STATE_FAILURE")
                .containsEntry("parameters", "0x0000000000000003, 0xffffc30e4b4f2060, 0xfffff8074a66f750, 0xffffc30e53e5d8a0")
                .containsEntry("dump_path", "C:\\WINDOWS\\MEMORY.DMP")
                .containsEntry("report_id", "5c3f7e0e-8f4b-4a8e-9d1c-2b6f0a9e7d41")
                .containsEntry("record_id", "48213")
                .containsEntry("computer", "WS-ACCT-07.corp.example");

        AgentEvent afterCrash = events.get(1);
        assertThat(afterCrash.kind()).isEqualTo("unexpected_shutdown");
        assertThat(afterCrash.severity()).isEqualTo("critical");
        assertThat(afterCrash.summary()).isEqualTo("Unexpected shutdown (Kernel-Power 41) after bugcheck 0x0000009f (DRIVER_POWER_STATE_FAILURE)");
        assertThat(afterCrash.detailMap()).containsEntry("code", "0x0000009f")
                .containsEntry("parameters", "0x3, 0xffffc30e4b4f2060, 0xfffff8074a66f750, 0xffffc30e53e5d8a0");

        AgentEvent powerLoss = events.get(2);
        assertThat(powerLoss.kind()).isEqualTo("unexpected_shutdown");
        assertThat(powerLoss.severity()).isEqualTo("warning");
        assertThat(powerLoss.detailMap()).doesNotContainKey("code").containsEntry("sleep_in_progress", "0");

        AgentEvent noDump = events.get(3);
        assertThat(noDump.summary()).isEqualTo("Bugcheck 0x00000133 (DPC_WATCHDOG_VIOLATION); no dump was saved");
        assertThat(noDump.detailMap()).containsEntry("dump_path", "");
    }

    @Test
    void anEmptyLogIsNoEvents() throws IOException {
        assertThat(BugcheckParser.parse("")).isEmpty();
        assertThat(BugcheckParser.parse("\r\n")).isEmpty();
    }

    @Test
    void entitiesAreNeverResolved() {
        assertThatThrownBy(() -> BugcheckParser.parse(BugcheckParserTest.fixture("hostile.xml")))
                .isInstanceOf(IOException.class).message().doesNotContain("root:");
    }

    @Test
    void codesAreNormalised() {
        assertThat(BugcheckParser.normaliseCode("0x9F")).isEqualTo("0x0000009f");
        assertThat(BugcheckParser.normaliseCode("0x00000133")).isEqualTo("0x00000133");
        assertThat(BugcheckParser.normaliseCode("0xC000021A")).isEqualTo("0xc000021a");
    }

    @Test
    void wevtutilOutputIsDecodedWhateverItsByteOrderMark() {
        String xml = "<Event/>";
        assertThat(WevtutilEventLog.decode(xml.getBytes(StandardCharsets.UTF_8))).isEqualTo(xml);
        byte[] utf16 = xml.getBytes(StandardCharsets.UTF_16LE);
        byte[] withBom = new byte[utf16.length + 2];
        withBom[0] = (byte) 0xff;
        withBom[1] = (byte) 0xfe;
        System.arraycopy(utf16, 0, withBom, 2, utf16.length);
        assertThat(WevtutilEventLog.decode(withBom)).isEqualTo(xml);
        assertThat(WevtutilEventLog.COMMAND).containsExactly("wevtutil", "qe", "System", "/q:*[System[(EventID=1001 or EventID=41)]]",
                "/f:xml", "/rd:true", "/c:50");
    }
}
