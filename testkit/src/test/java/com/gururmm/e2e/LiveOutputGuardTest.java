package com.gururmm.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.gururmm.client.GuruClient;
import com.gururmm.protocol.api.Commands.CommandOutputView;
import com.gururmm.protocol.api.Commands.CommandRequest;
import com.gururmm.protocol.api.Commands.OutputChunk;
import com.gururmm.protocol.wire.AgentMessage;
import com.gururmm.protocol.wire.AgentMessage.CommandOutput;
import com.gururmm.protocol.wire.ServerMessage;
import com.gururmm.server.events.CommandOutputReceived;
import com.gururmm.server.events.EventBus;
import com.gururmm.testkit.TestDatabase;
import com.gururmm.testkit.TestServer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * What the server makes of {@code command_output} frames, from a hand-driven agent on H2 and on
 * PostgreSQL: stored in seq order with no duplicate whatever arrives, only while the command runs
 * on that agent, within the server's own cap, U+0000 and backslashes intact; malformed frames are
 * refused and the connection stays.
 */
@Timeout(120)
class LiveOutputGuardTest {
    private static UUID runningCommand(GuruClient admin, RawAgent raw) throws Exception {
        UUID id = admin.runCommand(raw.agentId, new CommandRequest("sh", "echo hi", null, 300)).commandId();
        ServerMessage message;
        do {
            message = raw.next();
        } while (!(message instanceof ServerMessage.RunCommand run && run.commandId().equals(id)));
        raw.send(new AgentMessage.CommandStarted(id, Instant.now()));
        return id;
    }

    private static CommandOutput chunk(UUID command, long seq, String stream, long offset, String data) {
        return new CommandOutput(command, seq, stream, offset, data, Instant.now(), null);
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.Kind.class)
    void chunksAreStoredInOrderOnceWhileRunningAndWithinTheCap(TestDatabase.Kind kind) throws Exception {
        try (TestServer server = TestServer.start(kind, Map.of("GURURMM_COMMAND_OUTPUT_MAX_KB", "16"))) {
            List<CommandOutputReceived> published = Collections.synchronizedList(new ArrayList<>());
            EventBus.Subscription subscription = server.server().bus().subscribe(CommandOutputReceived.TOPIC, published::add);
            GuruClient admin = server.adminClient();
            RawAgent raw = RawAgent.enroll(server);
            raw.hello();
            RawAgent other = RawAgent.enroll(server);
            other.hello();
            UUID id = runningCommand(admin, raw);
            UUID othersCommand = runningCommand(admin, other);

            String hostile = "a\u0000b\\0c\\\\d\n";
            raw.send(chunk(id, 1, "stdout", 0, hostile));
            raw.send(chunk(id, 2, "stderr", 0, "err\n"));
            raw.send(chunk(id, 2, "stderr", 0, "duplicate\n"));
            raw.send(chunk(id, 1, "stdout", 0, "old\n"));
            raw.send(chunk(id, 5, "stdout", hostile.length() + 10, "after a gap\n"));
            raw.send(chunk(id, 4, "stdout", hostile.length(), "overtaken\n"));
            // Another agent's command is not this agent's to write into.
            raw.send(chunk(othersCommand, 9, "stdout", 0, "intruder\n"));
            assertThat(raw.syncAndDrain()).as("nothing refused so far").noneMatch(m -> m instanceof ServerMessage.Refused);

            // Malformed frames: refused by name, nothing stored, the connection stays.
            raw.send(chunk(id, 6, "stdin", 0, "x"));
            raw.send(chunk(id, 6, "stdout", -1, "x"));
            raw.send(chunk(id, 0, "stdout", 0, "x"));
            raw.send(chunk(id, 6, "stdout", 0, "x".repeat(64 * 1024 + 1)));
            raw.send(new CommandOutput(id, 6, "stdout", 0, "x", Instant.now(), "tired"));
            raw.send("{\"type\":\"command_output\",\"command_id\":\"" + id + "\",\"seq\":6,\"stream\":\"stdout\",\"offset\":0}");
            List<ServerMessage> refusals = raw.syncAndDrain().stream().filter(m -> m instanceof ServerMessage.Refused).toList();
            assertThat(refusals).hasSize(6).allSatisfy(m -> assertThat(((ServerMessage.Refused) m).error()).isEqualTo("invalid_message"));
            assertThat(refusals).extracting(m -> ((ServerMessage.Refused) m).message())
                    .anySatisfy(m -> assertThat(m).contains("stream")).anySatisfy(m -> assertThat(m).contains("offset"))
                    .anySatisfy(m -> assertThat(m).contains("seq")).anySatisfy(m -> assertThat(m).contains("65536"))
                    .anySatisfy(m -> assertThat(m).contains("stopped")).anySatisfy(m -> assertThat(m).contains("data"));

            // The server's cap (16 KiB here): the chunk that would pass it becomes a marker, and nothing follows.
            raw.send(chunk(id, 7, "stdout", hostile.length() + 22, "y".repeat(16 * 1024)));
            raw.send(chunk(id, 8, "stdout", hostile.length() + 22, "too late\n"));
            raw.syncAndDrain();

            CommandOutputView view = admin.commandOutput(id, 0);
            assertThat(view.status()).isEqualTo("running");
            assertThat(view.complete()).isFalse();
            assertThat(view.chunks()).extracting(OutputChunk::seq).containsExactly(1L, 2L, 5L, 7L);
            assertThat(view.chunks()).extracting(OutputChunk::data).containsExactly(hostile, "err\n", "after a gap\n", "");
            assertThat(view.chunks()).extracting(OutputChunk::stream).containsExactly("stdout", "stderr", "stdout", "stdout");
            assertThat(view.chunks().getLast().stopped()).isEqualTo("server_cap");
            assertThat(view.nextSeq()).isEqualTo(7);
            assertThat(admin.commandOutput(id, 2).chunks()).extracting(OutputChunk::seq).containsExactly(5L, 7L);
            assertThat(admin.commandOutput(othersCommand, 0).chunks()).isEmpty();

            // Once the result is stored the command is final: later chunks are not stored, and the view is complete.
            raw.send(new AgentMessage.CommandResult(id, "completed", 0, "hi\n", "", false, false, null, Instant.now(), Instant.now()));
            assertThat(raw.next()).isInstanceOf(ServerMessage.ResultAck.class);
            raw.send(chunk(id, 20, "stdout", 0, "after the result\n"));
            raw.syncAndDrain();
            CommandOutputView done = admin.commandOutput(id, 0);
            assertThat(done.complete()).isTrue();
            assertThat(done.status()).isEqualTo("completed");
            assertThat(done.exitCode()).isZero();
            assertThat(done.chunks()).extracting(OutputChunk::seq).containsExactly(1L, 2L, 5L, 7L);
            // The stored result is the agent's, untouched by the chunks.
            assertThat(admin.command(id).stdout()).isEqualTo("hi\n");

            // Published once per stored chunk, in order; the cap marker too, with no text.
            await().atMost(Duration.ofSeconds(10)).until(() -> published.size() >= 4);
            assertThat(published).extracting(CommandOutputReceived::seq).containsExactly(1L, 2L, 5L, 7L);
            assertThat(published.getFirst().data()).isEqualTo(hostile);
            assertThat(published.getFirst().agentId()).isEqualTo(raw.agentId);
            assertThat(published.getLast().stopped()).isEqualTo("server_cap");
            subscription.close();
            raw.socket.abort();
            other.socket.abort();
        }
    }
}
