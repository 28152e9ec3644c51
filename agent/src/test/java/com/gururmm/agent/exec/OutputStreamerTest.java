package com.gururmm.agent.exec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.gururmm.agent.platform.Platform;
import com.gururmm.agent.state.Journal;
import com.gururmm.agent.state.Outbox;
import com.gururmm.agent.state.StateDir;
import com.gururmm.protocol.wire.AgentMessage;
import com.gururmm.protocol.wire.AgentMessage.CommandOutput;
import com.gururmm.protocol.wire.AgentMessage.CommandResult;
import com.gururmm.protocol.wire.ServerMessage.RunCommand;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The live-output streamer: exact text, order, bounds; and through the executor with real processes. */
@Timeout(60)
class OutputStreamerTest {
    private final List<CommandOutput> sent = new CopyOnWriteArrayList<>();
    private static final OutputStreamer.Settings FAST = new OutputStreamer.Settings(true, 2048L * 1024, 256 * 1024, Duration.ofMillis(50), Duration.ofSeconds(30));

    private boolean record(AgentMessage message) {
        sent.add((CommandOutput) message);
        return true;
    }

    private static String text(List<CommandOutput> chunks, String stream) {
        StringBuilder out = new StringBuilder();
        chunks.stream().filter(c -> c.stream().equals(stream)).forEach(c -> {
            assertThat(c.offset()).as("offset of seq " + c.seq()).isEqualTo(out.length());
            out.append(c.data());
        });
        return out.toString();
    }

    private static String decodeWhole(byte[] bytes) throws Exception {
        return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPLACE)
                .onUnmappableCharacter(CodingErrorAction.REPLACE).decode(ByteBuffer.wrap(bytes)).toString();
    }

    @Test
    void theStreamedTextIsExactlyTheWholeDecodeWhateverTheReadBoundaries() throws Exception {
        // Multi-byte characters, an emoji (a surrogate pair), NUL and some invalid bytes, cut at random places.
        Random random = new Random(42);
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        String sample = "héllo wörld ✓ 😀 \u0000 tab\tend\n";
        while (all.size() < 100_000) {
            all.writeBytes(sample.getBytes(StandardCharsets.UTF_8));
            if (random.nextInt(10) == 0) {
                all.write(0xC3); // a lead byte with no continuation: invalid
                all.write('x');
            }
        }
        byte[] bytes = all.toByteArray();
        OutputStreamer streamer = new OutputStreamer(UUID.randomUUID(), FAST, this::record);
        OutputStreamer.Sink sink = streamer.sink(CommandOutput.STDOUT);
        for (int at = 0; at < bytes.length; ) {
            int n = Math.min(bytes.length - at, 1 + random.nextInt(50));
            sink.accept(bytes, at, n);
            at += n;
        }
        // Still "running" when its first batch went out (a command done sooner than one interval streams nothing).
        await().atMost(Duration.ofSeconds(10)).until(() -> !sent.isEmpty());
        streamer.finish();

        assertThat(text(sent, CommandOutput.STDOUT)).isEqualTo(decodeWhole(bytes));
        assertThat(sent).extracting(CommandOutput::seq).isSorted().doesNotHaveDuplicates().first().isEqualTo(1L);
        assertThat(sent).allSatisfy(c -> {
            assertThat(c.data().length()).isLessThanOrEqualTo(CommandOutput.MAX_DATA_CHARS);
            assertThat(c.stopped()).isNull();
            assertThat(Character.isHighSurrogate(c.data().charAt(c.data().length() - 1))).isFalse();
        });
    }

    @Test
    void anIncompleteCharacterAtTheEndBecomesAReplacementAsInTheResult() throws Exception {
        byte[] bytes = {'o', 'k', (byte) 0xE2, (byte) 0x9C};
        OutputStreamer streamer = new OutputStreamer(UUID.randomUUID(), FAST, this::record);
        streamer.sink(CommandOutput.STDERR).accept(bytes, 0, bytes.length);
        await().atMost(Duration.ofSeconds(10)).until(() -> !sent.isEmpty()); // still running when its first batch went out
        streamer.finish();
        assertThat(text(sent, CommandOutput.STDERR)).isEqualTo(decodeWhole(bytes)).isEqualTo("ok\uFFFD");
    }

    @Test
    void aQuietCommandThatPrintsOnlyAtItsEndAfterRunningLongerStillStreamsIt() throws Exception {
        OutputStreamer streamer = new OutputStreamer(UUID.randomUUID(), FAST, this::record);
        Thread.sleep(FAST.interval().toMillis() * 3); // ran a while, silent
        streamer.sink(CommandOutput.STDOUT).accept("done\n".getBytes(), 0, 5);
        streamer.finish();
        assertThat(text(sent, CommandOutput.STDOUT)).isEqualTo("done\n");
    }

    @Test
    void aCommandDoneBeforeItsFirstBatchWasDueStreamsNothingItsResultHasItAll() throws Exception {
        OutputStreamer.Settings slow = new OutputStreamer.Settings(true, 1 << 20, 1 << 18, Duration.ofMillis(1000), Duration.ofSeconds(30));
        OutputStreamer streamer = new OutputStreamer(UUID.randomUUID(), slow, this::record);
        streamer.sink(CommandOutput.STDOUT).accept("quick\n".getBytes(), 0, 6);
        streamer.finish();
        Thread.sleep(100);
        assertThat(sent).isEmpty();
    }

    @Test
    void smallWritesWithinOneIntervalGoOutAsOneMessageAndStreamsStaySeparate() throws Exception {
        OutputStreamer.Settings slow = new OutputStreamer.Settings(true, 1 << 20, 1 << 18, Duration.ofMillis(1000), Duration.ofSeconds(30));
        OutputStreamer streamer = new OutputStreamer(UUID.randomUUID(), slow, this::record);
        OutputStreamer.Sink out = streamer.sink(CommandOutput.STDOUT);
        OutputStreamer.Sink err = streamer.sink(CommandOutput.STDERR);
        for (int i = 0; i < 5; i++) {
            out.accept(("o" + i + "\n").getBytes(), 0, 3);
        }
        err.accept("e\n".getBytes(), 0, 2);
        out.accept("o5\n".getBytes(), 0, 3);
        await().atMost(Duration.ofSeconds(10)).until(() -> sent.size() >= 3);
        streamer.finish();
        assertThat(sent).extracting(CommandOutput::stream).containsExactly("stdout", "stderr", "stdout");
        assertThat(sent).extracting(CommandOutput::data).containsExactly("o0\no1\no2\no3\no4\n", "e\n", "o5\n");
        assertThat(sent).extracting(CommandOutput::offset).containsExactly(0L, 0L, 15L);
    }

    @Test
    void streamingStopsAtTheCapWithAMarker() throws Exception {
        OutputStreamer.Settings capped = new OutputStreamer.Settings(true, 10_000, 256 * 1024, Duration.ofMillis(20), Duration.ofSeconds(30));
        OutputStreamer streamer = new OutputStreamer(UUID.randomUUID(), capped, this::record);
        byte[] line = "0123456789abcdef\n".getBytes();
        for (int i = 0; i < 2_000; i++) {
            streamer.sink(CommandOutput.STDOUT).accept(line, 0, line.length);
        }
        streamer.finish();
        String streamed = text(sent, CommandOutput.STDOUT);
        assertThat(streamed).hasSize(10_000).isEqualTo("0123456789abcdef\n".repeat(600).substring(0, 10_000));
        assertThat(sent.getLast().stopped()).isEqualTo(CommandOutput.STOPPED_CAP);
        assertThat(sent.getLast().data()).isEmpty();
        assertThat(sent.stream().filter(c -> c.stopped() != null)).hasSize(1);
    }

    @Test
    void aStalledLinkStopsStreamingInsteadOfBufferingWithoutBound() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch stuck = new CountDownLatch(1);
        OutputStreamer.Settings small = new OutputStreamer.Settings(true, 64L << 20, 32 * 1024, Duration.ofMillis(20), Duration.ofSeconds(30));
        OutputStreamer streamer = new OutputStreamer(UUID.randomUUID(), small, message -> {
            stuck.countDown();
            try {
                // The first send hangs as on a link that does not drain.
                release.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return record(message);
        });
        byte[] block = new byte[8192];
        java.util.Arrays.fill(block, (byte) 'y');
        OutputStreamer.Sink sink = streamer.sink(CommandOutput.STDOUT);
        sink.accept(block, 0, 100);
        assertThat(stuck.await(10, TimeUnit.SECONDS)).isTrue();
        // 40 MiB while the first message is stuck: all but the backlog bound is dropped at once, not held.
        for (int i = 0; i < 5_000; i++) {
            sink.accept(block, 0, block.length);
        }
        release.countDown();
        streamer.finish();
        long streamedChars = sent.stream().mapToLong(c -> c.data().length()).sum();
        assertThat(streamedChars).isLessThanOrEqualTo(100 + 32 * 1024 + 8192);
        assertThat(sent.getLast().stopped()).isEqualTo(CommandOutput.STOPPED_BACKLOG);
        assertThat(sent).extracting(CommandOutput::seq).isSorted().doesNotHaveDuplicates();
    }

    @Test
    void outputWaitingLongerThanTheLagLimitStopsStreaming() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch stuck = new CountDownLatch(1);
        OutputStreamer.Settings impatient = new OutputStreamer.Settings(true, 64L << 20, 64 << 20, Duration.ofMillis(20), Duration.ofSeconds(1));
        OutputStreamer streamer = new OutputStreamer(UUID.randomUUID(), impatient, message -> {
            stuck.countDown();
            try {
                release.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return record(message);
        });
        OutputStreamer.Sink sink = streamer.sink(CommandOutput.STDOUT);
        sink.accept("first\n".getBytes(), 0, 6);
        assertThat(stuck.await(10, TimeUnit.SECONDS)).isTrue();
        sink.accept("waits\n".getBytes(), 0, 6);
        // Small, but waiting longer than a second behind a send that does not return: no longer live.
        // (The limit is a time, so the test lets that time pass.)
        long since = System.nanoTime();
        await().atMost(Duration.ofSeconds(20)).until(() -> System.nanoTime() - since > Duration.ofMillis(1500).toNanos());
        sink.accept("more\n".getBytes(), 0, 5);
        release.countDown();
        streamer.finish();
        assertThat(sent).extracting(CommandOutput::data).containsExactly("first\n", "");
        assertThat(sent.getLast().stopped()).isEqualTo(CommandOutput.STOPPED_BACKLOG);
    }

    @Test
    void badSettingsNameTheKey() {
        assertThat(OutputStreamer.Settings.from(Map.of())).isEqualTo(OutputStreamer.Settings.DEFAULTS);
        assertThat(OutputStreamer.Settings.from(Map.of("GURURMM_OUTPUT_STREAM", "off")).enabled()).isFalse();
        assertThatThrownBy(() -> OutputStreamer.Settings.from(Map.of("GURURMM_OUTPUT_STREAM", "maybe")))
                .hasMessageContaining("GURURMM_OUTPUT_STREAM");
        assertThatThrownBy(() -> OutputStreamer.Settings.from(Map.of("GURURMM_OUTPUT_STREAM_MAX_KB", "0")))
                .hasMessageContaining("GURURMM_OUTPUT_STREAM_MAX_KB");
    }

    @Test
    void aRealProcessStreamsBeforeItsResultAndTheResultIsTheConcatenation(@TempDir Path root) {
        StateDir state = new StateDir(root);
        state.prepare();
        List<AgentMessage> all = new CopyOnWriteArrayList<>();
        CommandExecutor executor = new CommandExecutor(new Journal(state), new Outbox(state),
                new ProcessRunner(Platform.current(Path.of("/etc/machine-id")), state.resolve("work")), all::add, FAST,
                message -> all.add(message));
        UUID id = UUID.randomUUID();
        executor.onRun(new RunCommand(id, "bash", "for i in 1 2 3; do echo out$i; echo err$i >&2; sleep 0.5; done", "system", 30));
        // A chunk arrives while the process still runs (it takes at least a second more).
        await().atMost(Duration.ofSeconds(20)).until(() -> all.stream().anyMatch(m -> m instanceof CommandOutput));
        assertThat(all).noneMatch(m -> m instanceof CommandResult);
        await().atMost(Duration.ofSeconds(30)).until(() -> all.stream().anyMatch(m -> m instanceof CommandResult));
        List<CommandOutput> chunks = all.stream().filter(m -> m instanceof CommandOutput).map(m -> (CommandOutput) m).toList();
        CommandResult result = all.stream().filter(m -> m instanceof CommandResult).map(m -> (CommandResult) m).findFirst().orElseThrow();
        assertThat(all.indexOf(result)).isGreaterThan(all.indexOf(chunks.getLast()));
        assertThat(text(chunks, "stdout")).isEqualTo(result.stdout()).isEqualTo("out1\nout2\nout3\n");
        assertThat(text(chunks, "stderr")).isEqualTo(result.stderr()).isEqualTo("err1\nerr2\nerr3\n");
    }
}
