package com.gururmm.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.gururmm.client.EventStream;
import com.gururmm.client.GuruApiException;
import com.gururmm.client.GuruClient;
import com.gururmm.protocol.api.Auth.ScopeView;
import com.gururmm.protocol.api.Commands.CommandOutputView;
import com.gururmm.protocol.api.Commands.CommandRequest;
import com.gururmm.protocol.api.Commands.CommandView;
import com.gururmm.protocol.api.Commands.OutputChunk;
import com.gururmm.testkit.AgentProcess;
import com.gururmm.testkit.Fleet;
import com.gururmm.testkit.TestDatabase;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Live command output end to end (issue 11): real agent processes stream a running command's
 * stdout and stderr, the server stores and publishes the chunks, and {@code GET
 * /api/commands/{id}/output} (plain and {@code ?follow=true}) and {@code /api/events} hand them out
 * before the command ends, in order, per stream, and adding up to the stored result.
 */
@Timeout(300)
class LiveCommandOutputTest {
    private static Fleet fleet;
    /** Streams with the defaults. */
    private static UUID agent;
    /** Streams at most 64 KiB per command (GURURMM_OUTPUT_STREAM_MAX_KB). */
    private static UUID capped;
    /** Streaming off: what a server sees from an agent older than live output. */
    private static UUID silent;

    @BeforeAll
    static void start() {
        fleet = Fleet.start(TestDatabase.Kind.H2);
        agent = fleet.onlineAgentId();
        String token = fleet.server().enrollmentToken();
        capped = fleet.track(AgentProcess.create(fleet.server().url(), token).env("GURURMM_OUTPUT_STREAM_MAX_KB", "64"))
                .start().awaitOnline(fleet.admin());
        silent = fleet.track(AgentProcess.create(fleet.server().url(), token).env("GURURMM_OUTPUT_STREAM", "off"))
                .start().awaitOnline(fleet.admin());
    }

    @AfterAll
    static void stop() {
        if (fleet != null) {
            fleet.close();
        }
    }

    private static CommandRequest bash(String script) {
        return new CommandRequest("bash", script, null, 120);
    }

    /** Every chunk of a finished command, paging through the plain route. */
    private static List<OutputChunk> allChunks(GuruClient client, UUID id) {
        List<OutputChunk> chunks = new ArrayList<>();
        long after = 0;
        while (true) {
            CommandOutputView view = client.commandOutput(id, after);
            chunks.addAll(view.chunks());
            after = view.nextSeq();
            if (!view.more()) {
                return chunks;
            }
        }
    }

    private static String concat(List<OutputChunk> chunks, String stream) {
        StringBuilder out = new StringBuilder();
        for (OutputChunk chunk : chunks) {
            if (chunk.stream().equals(stream)) {
                assertThat(chunk.offset()).as("chunk " + chunk.seq() + " continues its stream without a gap").isEqualTo(out.length());
                out.append(chunk.data());
            }
        }
        return out.toString();
    }

    @Test
    void aFollowerSeesEachLineWhileTheCommandRunsThenTheEnd() throws Exception {
        GuruClient admin = fleet.admin();
        UUID id = admin.runCommand(agent, bash("for i in 1 2 3; do echo out$i; echo err$i >&2; sleep 2; done; exit 3")).commandId();
        List<EventStream.Event> events = new ArrayList<>();
        String statusAtFirstChunk = null;
        String firstChunkData = null;
        try (EventStream follow = admin.followOutput(id, 0)) {
            long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
            while (System.nanoTime() < deadline) {
                EventStream.Event event = follow.next(Duration.ofSeconds(1));
                if (event == null) {
                    if (follow.ended()) {
                        break;
                    }
                    continue;
                }
                events.add(event);
                if (event.type().equals("output") && statusAtFirstChunk == null) {
                    // The chunk is here: the command must still be running (it sleeps 4 s more).
                    statusAtFirstChunk = admin.command(id).status();
                    firstChunkData = event.data().get("data").asText();
                }
                if (event.type().equals("end")) {
                    break;
                }
            }
        }
        assertThat(statusAtFirstChunk).as("a chunk arrived before the result").isEqualTo("running");
        assertThat(firstChunkData).as("the first chunk was sent before the last line existed").doesNotContain("out3", "err3");
        EventStream.Event end = events.getLast();
        assertThat(end.type()).isEqualTo("end");
        assertThat(end.data().get("status").asText()).isEqualTo("completed");
        assertThat(end.data().get("exit_code").asInt()).isEqualTo(3);

        List<JsonNode> outputs = events.stream().filter(e -> e.type().equals("output")).map(EventStream.Event::data).toList();
        List<Long> seqs = outputs.stream().map(d -> d.get("seq").asLong()).toList();
        assertThat(seqs).isSorted().doesNotHaveDuplicates();
        assertThat(events.stream().filter(e -> e.type().equals("output")).map(EventStream.Event::id).toList())
                .isEqualTo(seqs.stream().map(String::valueOf).toList());
        StringBuilder out = new StringBuilder();
        StringBuilder err = new StringBuilder();
        outputs.forEach(d -> (d.get("stream").asText().equals("stdout") ? out : err).append(d.get("data").asText()));
        assertThat(out.toString()).isEqualTo("out1\nout2\nout3\n");
        assertThat(err.toString()).isEqualTo("err1\nerr2\nerr3\n");

        // The stored result is unchanged by streaming, and the chunks add up to it.
        CommandView result = admin.command(id);
        assertThat(result.stdout()).isEqualTo("out1\nout2\nout3\n");
        assertThat(result.stderr()).isEqualTo("err1\nerr2\nerr3\n");
        assertThat(result.exitCode()).isEqualTo(3);
        List<OutputChunk> stored = allChunks(admin, id);
        assertThat(concat(stored, "stdout")).isEqualTo(result.stdout());
        assertThat(concat(stored, "stderr")).isEqualTo(result.stderr());
        CommandOutputView page = admin.commandOutput(id, 0);
        assertThat(page.complete()).isTrue();
        assertThat(page.status()).isEqualTo("completed");
        assertThat(page.exitCode()).isEqualTo(3);
        assertThat(page.nextSeq()).isEqualTo(stored.getLast().seq());
        assertThat(admin.commandOutput(id, page.nextSeq()).chunks()).isEmpty();
    }

    @Test
    void aFollowerThatComesLateOrResumesGetsTheRestExactlyOnce() throws Exception {
        GuruClient admin = fleet.admin();
        UUID id = admin.runCommand(agent, bash("for i in $(seq 1 5); do echo line$i; sleep 0.3; done")).commandId();
        admin.awaitCommand(id, Duration.ofSeconds(60));
        List<OutputChunk> stored = allChunks(admin, id);
        assertThat(stored).hasSizeGreaterThan(1);
        long middle = stored.get(stored.size() / 2 - 1).seq();
        // Following a finished command from the middle: the rest, then the end, then the stream closes.
        List<String> data = new ArrayList<>();
        try (EventStream follow = admin.followOutput(id, middle)) {
            EventStream.Event event;
            while ((event = follow.next(Duration.ofSeconds(20))) != null && !event.type().equals("end")) {
                data.add(event.data().get("data").asText());
            }
            assertThat(event).isNotNull();
            assertThat(follow.next(Duration.ofSeconds(10))).isNull();
            assertThat(follow.ended()).isTrue();
        }
        assertThat(data).containsExactlyElementsOf(stored.stream().filter(c -> c.seq() > middle).map(OutputChunk::data).toList());
        // Last-Event-ID works as after_seq does (what a browser's EventSource would send).
        GuruClient.RawResponse resumed = admin.raw("GET", "/api/commands/" + id + "/output?follow=true", null,
                Map.of("Last-Event-ID", Long.toString(stored.getLast().seq())));
        assertThat(resumed.status()).isEqualTo(200);
        assertThat(resumed.body()).doesNotContain("event: output").contains("event: end");
    }

    @Test
    void theEventStreamCarriesChunksOnlyToClientsThatAskForThem() throws Exception {
        GuruClient admin = fleet.admin();
        try (EventStream all = admin.events(null, agent, null); EventStream output = admin.events("command.output", agent, null)) {
            UUID id = admin.runCommand(agent, bash("echo first; sleep 1; echo second >&2")).commandId();
            List<EventStream.Event> seen = new ArrayList<>();
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            StringBuilder text = new StringBuilder();
            while (System.nanoTime() < deadline && !text.toString().contains("second")) {
                EventStream.Event event = output.next(Duration.ofSeconds(1));
                if (event != null && event.data().get("command_id").asText().equals(id.toString())) {
                    assertThat(event.type()).isEqualTo("command.output");
                    assertThat(event.data().get("agent_id").asText()).isEqualTo(agent.toString());
                    text.append(event.data().get("stream").asText()).append(':').append(event.data().get("data").asText());
                }
            }
            assertThat(text.toString()).isEqualTo("stdout:first\nstderr:second\n");
            // The default stream (no types named) saw the command's status, and none of its output.
            deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            boolean completed = false;
            while (System.nanoTime() < deadline && !completed) {
                EventStream.Event event = all.next(Duration.ofSeconds(1));
                if (event != null) {
                    seen.add(event);
                    completed = event.type().equals("command.status") && event.data().get("command_id").asText().equals(id.toString())
                            && event.data().get("status").asText().equals("completed");
                }
            }
            assertThat(completed).isTrue();
            assertThat(seen).noneMatch(e -> e.type().equals("command.output"));
        }
    }

    @Test
    void hugeOutputIsCappedAndTheResultKeepsItsOwnLimit() {
        GuruClient admin = fleet.admin();
        UUID id = admin.runCommand(agent, bash("yes | head -c 50000000; echo done >&2")).commandId();
        CommandView result = admin.awaitCommand(id, Duration.ofSeconds(120));
        assertThat(result.status()).isEqualTo("completed");
        assertThat(result.stdoutTruncated()).isTrue();
        assertThat(result.stdout()).startsWith("y\ny\n").contains("[gururmm: output truncated at 1048576 bytes");
        List<OutputChunk> chunks = allChunks(admin, id);
        String streamed = concat(chunks, "stdout");
        // Streamed: what the result kept of stdout (1 MiB), never the 50 MB the process wrote.
        assertThat(streamed.length()).isLessThanOrEqualTo(1024 * 1024);
        assertThat(result.stdout()).startsWith(streamed);
        assertThat(concat(chunks, "stderr")).isEqualTo(result.stderr()).isEqualTo("done\n");
        assertThat(chunks).allSatisfy(c -> assertThat(c.data().length()).isLessThanOrEqualTo(16 * 1024));
    }

    @Test
    void anAgentsStreamingCapEndsWithAMarkerAndTheResultHasEverything() {
        GuruClient admin = fleet.admin();
        UUID id = admin.runCommand(capped, bash("for i in $(seq 1 20000); do echo \"line $i\"; done")).commandId();
        CommandView result = admin.awaitCommand(id, Duration.ofSeconds(120));
        assertThat(result.stdoutTruncated()).isFalse();
        List<OutputChunk> chunks = allChunks(admin, id);
        String streamed = concat(chunks, "stdout");
        assertThat(streamed).hasSize(64 * 1024);
        assertThat(result.stdout()).startsWith(streamed).endsWith("line 20000\n");
        assertThat(chunks.getLast().stopped()).isEqualTo("cap");
        assertThat(chunks.getLast().data()).isEmpty();
    }

    @Test
    void anAgentThatDoesNotStreamGivesNoChunksAndTheResultAsBefore() throws Exception {
        GuruClient admin = fleet.admin();
        UUID id = admin.runCommand(silent, bash("echo quiet; sleep 1; echo done")).commandId();
        try (EventStream follow = admin.followOutput(id, 0)) {
            EventStream.Event event = follow.next(Duration.ofSeconds(60));
            assertThat(event).isNotNull();
            assertThat(event.type()).isEqualTo("end");
            assertThat(event.data().get("status").asText()).isEqualTo("completed");
        }
        assertThat(admin.commandOutput(id, 0).chunks()).isEmpty();
        assertThat(admin.command(id).stdout()).isEqualTo("quiet\ndone\n");
    }

    @Test
    void aTechnicianOfAnotherSiteGets404AndBadParametersAre400() {
        GuruClient admin = fleet.admin();
        UUID id = admin.runCommand(agent, bash("echo secret-output")).commandId();
        admin.awaitCommand(id, Duration.ofSeconds(60));
        UUID otherClient = admin.createClient("Live output elsewhere").id();
        UUID otherSite = admin.createSite(otherClient, "Elsewhere").id();
        admin.createUser("live-output-tech@example.test", "technician-password-123", "technician",
                new ScopeView(List.of(), List.of(otherSite)));
        GuruClient outsider = fleet.server().anonymousClient();
        outsider.login("live-output-tech@example.test", "technician-password-123");
        for (String path : List.of("/api/commands/" + id + "/output", "/api/commands/" + id + "/output?follow=true")) {
            GuruClient.RawResponse response = outsider.raw("GET", path, null, Map.of());
            assertThat(response.status()).as(path).isEqualTo(404);
            assertThat(response.body()).doesNotContain("secret-output");
        }
        assertThatThrownBy(() -> outsider.followOutput(id, 0)).isInstanceOf(GuruApiException.class)
                .satisfies(e -> assertThat(((GuruApiException) e).status()).isEqualTo(404));
        for (String bad : List.of("after_seq=-1", "after_seq=abc", "after_seq=1.5", "follow=yes")) {
            GuruClient.RawResponse response = admin.raw("GET", "/api/commands/" + id + "/output?" + bad, null, Map.of());
            assertThat(response.status()).as(bad).isEqualTo(400);
            assertThat(response.body()).contains(bad.substring(0, bad.indexOf('=')));
        }
        assertThat(admin.raw("GET", "/api/commands/" + UUID.randomUUID() + "/output", null, Map.of()).status()).isEqualTo(404);
        assertThat(admin.raw("GET", "/api/commands/not-a-uuid/output", null, Map.of()).status()).isEqualTo(400);
    }
}
