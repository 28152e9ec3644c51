package com.gururmm.agent.exec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.gururmm.agent.platform.Platform;
import com.gururmm.agent.state.Journal;
import com.gururmm.agent.state.Outbox;
import com.gururmm.agent.state.StateDir;
import com.gururmm.protocol.wire.AgentMessage;
import com.gururmm.protocol.wire.AgentMessage.CommandResult;
import com.gururmm.protocol.wire.ServerMessage.RunCommand;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real processes, real state dir: the at-most-once and nothing-lost rules of the executor. */
class CommandExecutorTest {
    @TempDir
    Path stateRoot;

    private final List<AgentMessage> sent = new CopyOnWriteArrayList<>();

    private CommandExecutor executor(StateDir state) {
        return new CommandExecutor(new Journal(state), new Outbox(state),
                new ProcessRunner(Platform.current(Path.of("/etc/machine-id")), state.resolve("work")), sent::add);
    }

    private StateDir state() {
        StateDir state = new StateDir(stateRoot);
        state.prepare();
        return state;
    }

    @Test
    void aCommandDeliveredManyTimesRunsOnce() throws Exception {
        StateDir state = state();
        CommandExecutor executor = executor(state);
        Path log = Files.createTempFile("runs", ".log");
        RunCommand run = new RunCommand(UUID.randomUUID(), "bash", "echo run >> " + log + "; sleep 1; echo ok", "system", 30);
        executor.onRun(run);
        executor.onRun(run); // while running: answered with command_started, not run again
        await().atMost(Duration.ofSeconds(20)).until(() -> sent.stream().anyMatch(m -> m instanceof CommandResult));
        executor.onRun(run); // after finishing: the stored result is resent
        assertThat(Files.readAllLines(log)).containsExactly("run");
        List<CommandResult> results = sent.stream().filter(m -> m instanceof CommandResult).map(m -> (CommandResult) m).toList();
        assertThat(results).hasSize(2).allSatisfy(r -> assertThat(r.stdout()).isEqualTo("ok\n"));

        // A new executor on the same state dir (an agent restart) still refuses to run it again.
        sent.clear();
        CommandExecutor restarted = executor(state);
        restarted.onRun(run);
        // onRun decides before it returns: a run would be counted as running by now.
        assertThat(restarted.runningCount()).isZero();
        assertThat(Files.readAllLines(log)).containsExactly("run");
        assertThat(sent).singleElement().isInstanceOf(CommandResult.class);

        executor.onAck(run.commandId());
        assertThat(new Outbox(state).all()).isEmpty();
    }

    @Test
    void restartReportsInterruptedCommandsAndKillsTheirOrphans() throws Exception {
        StateDir state = state();
        Journal journal = new Journal(state);
        UUID id = UUID.randomUUID();
        Process orphan = new ProcessBuilder("sleep", "60").start();
        assertThat(journal.claim(id)).isTrue();
        journal.markRunning(id, orphan.pid(), orphan.info().startInstant().orElse(Instant.now()));

        executor(state).recoverAfterRestart();

        await().atMost(Duration.ofSeconds(10)).until(() -> !orphan.isAlive());
        CommandResult result = new Outbox(state).get(id).orElseThrow();
        assertThat(result.status()).isEqualTo("failed");
        assertThat(result.error()).isEqualTo(CommandExecutor.RESTARTED);
        assertThat(journal.unfinished()).isEmpty();
        assertThat(journal.claim(id)).as("still never runs again").isFalse();
    }

    @Test
    void aCancelThatArrivesBeforeTheCommandMeansItNeverRuns() throws Exception {
        StateDir state = state();
        CommandExecutor executor = executor(state);
        Path log = Files.createTempFile("runs", ".log");
        RunCommand run = new RunCommand(UUID.randomUUID(), "sh", "echo run >> " + log, "system", 30);
        executor.onCancel(run.commandId());
        executor.onRun(run);
        // onRun decides before it returns: a run would be counted as running by now.
        assertThat(executor.runningCount()).isZero();
        assertThat(Files.readAllLines(log)).isEmpty();
        assertThat(sent).noneMatch(m -> m instanceof CommandResult);
    }

    @Test
    void commandsArrivingDuringAnUpdateRestartAreLeftUnclaimedForTheNextVersion() throws Exception {
        StateDir state = state();
        CommandExecutor executor = executor(state);
        Path log = Files.createTempFile("runs", ".log");
        RunCommand run = new RunCommand(UUID.randomUUID(), "sh", "echo run >> " + log, "system", 30);
        executor.stopIntake();
        executor.onRun(run);
        assertThat(executor.runningCount()).as("onRun decides before it returns").isZero();
        assertThat(Files.readAllLines(log)).isEmpty();
        assertThat(new Journal(state).hasClaimed(run.commandId())).as("the next version may still run it").isFalse();
    }

    @Test
    void aQuickCommandSendsOnlyItsResultAndASlowOneSaysItStartedFirst() throws Exception {
        StateDir state = state();
        CommandExecutor executor = executor(state);
        RunCommand quick = new RunCommand(UUID.randomUUID(), "sh", "true", "system", 30);
        executor.onRun(quick);
        await().atMost(Duration.ofSeconds(10)).until(() -> sent.stream().anyMatch(m -> m instanceof CommandResult));
        Thread.sleep(CommandExecutor.STARTED_NOTICE_DELAY.toMillis() * 2);
        assertThat(sent).as("done within the notice delay: the result carries started_at").singleElement()
                .isInstanceOfSatisfying(CommandResult.class, r -> assertThat(r.startedAt()).isNotNull());

        sent.clear();
        RunCommand slow = new RunCommand(UUID.randomUUID(), "sh", "sleep 1", "system", 30);
        executor.onRun(slow);
        await().atMost(Duration.ofSeconds(10)).until(() -> sent.stream().anyMatch(m -> m instanceof CommandResult));
        assertThat(sent).hasSize(2);
        assertThat(sent.get(0)).isInstanceOf(AgentMessage.CommandStarted.class);
        assertThat(sent.get(1)).isInstanceOf(CommandResult.class);
    }

    @Test
    void aRunnerThatCannotLoadAClassFailsTheCommandInsteadOfLeavingItRunning() {
        StateDir state = state();
        Platform linux = Platform.current(Path.of("/etc/machine-id"));
        Platform broken = new Platform() {
            @Override
            public String os() {
                return linux.os();
            }

            @Override
            public String machineUid() {
                return "test";
            }

            @Override
            public String scriptExtension(com.gururmm.protocol.CommandType type) {
                return linux.scriptExtension(type);
            }

            @Override
            public com.gururmm.agent.platform.Launch launch(com.gururmm.protocol.CommandType type, com.gururmm.protocol.ExecutionContext context,
                                                             Path script) throws com.gururmm.agent.platform.CommandRefusedException {
                return linux.launch(type, context, script);
            }

            @Override
            public java.util.Optional<Process> startIsolated(List<String> argv, Path workDir, java.util.Map<String, String> environment) {
                throw new NoClassDefFoundError("Could not initialize class com.sun.jna.Native");
            }
        };
        CommandExecutor executor = new CommandExecutor(new Journal(state), new Outbox(state), new ProcessRunner(broken, state.resolve("work")), sent::add);
        executor.onRun(new RunCommand(UUID.randomUUID(), "sh", "true", "system", 30));
        await().atMost(Duration.ofSeconds(10)).until(() -> sent.stream().anyMatch(m -> m instanceof CommandResult));
        assertThat(sent).filteredOn(m -> m instanceof CommandResult).singleElement()
                .isInstanceOfSatisfying(CommandResult.class, r -> {
                    assertThat(r.status()).isEqualTo("failed");
                    assertThat(r.error()).contains("NoClassDefFoundError");
                });
        assertThat(executor.runningCount()).isZero();
    }

    @Test
    void unknownTypesAndContextsFailWithoutRunningAnything() {
        StateDir state = state();
        CommandExecutor executor = executor(state);
        executor.onRun(new RunCommand(UUID.randomUUID(), "fish", "echo", "system", 30));
        executor.onRun(new RunCommand(UUID.randomUUID(), "bash", "echo", "root", 30));
        await().atMost(Duration.ofSeconds(10)).until(() -> sent.stream().filter(m -> m instanceof CommandResult).count() == 2);
        assertThat(sent).filteredOn(m -> m instanceof CommandResult).map(m -> (CommandResult) m)
                .allSatisfy(r -> assertThat(r.status()).isEqualTo("failed"))
                .anySatisfy(r -> assertThat(r.error()).contains("fish"))
                .anySatisfy(r -> assertThat(r.error()).contains("root"));
    }
}
