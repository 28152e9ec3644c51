package com.gururmm.agent.exec;

import com.gururmm.agent.state.Journal;
import com.gururmm.agent.state.Outbox;
import com.gururmm.protocol.wire.AgentMessage;
import com.gururmm.protocol.wire.AgentMessage.CommandResult;
import com.gururmm.protocol.wire.ServerMessage.RunCommand;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's side of "nothing lost, nothing run twice".
 *
 * <ol>
 *   <li>A delivered command is claimed in the {@link Journal} (durably) before its process
 *       starts. A second delivery of a claimed id is never run: if it is still running the
 *       agent repeats {@code command_started}; if it finished, it resends the stored result.</li>
 *   <li>The result goes to the {@link Outbox} (durably) before it is sent, and leaves it only
 *       when the server acknowledges it.</li>
 *   <li>At start, commands the journal shows as started but unfinished were interrupted by
 *       the agent's own death: their orphaned process trees are killed and they are reported
 *       {@code failed} ("agent restarted during execution").</li>
 * </ol>
 */
public final class CommandExecutor {
    private static final Logger log = LoggerFactory.getLogger(CommandExecutor.class);
    public static final String RESTARTED = "agent restarted during execution";

    private final Journal journal;
    private final Outbox outbox;
    private final ProcessRunner runner;
    private final Consumer<AgentMessage> sender;
    private final Map<UUID, RunningCommand> running = new ConcurrentHashMap<>();
    private final Map<UUID, Instant> startedAt = new ConcurrentHashMap<>();
    private volatile String sandboxNote;
    private boolean intakeStopped;
    private final OutputStreamer.Settings streaming;
    private final java.util.function.Predicate<AgentMessage> liveSender;

    /** @param sender best-effort send to the server; dropped while disconnected (the outbox covers results) */
    public CommandExecutor(Journal journal, Outbox outbox, ProcessRunner runner, Consumer<AgentMessage> sender) {
        this(journal, outbox, runner, sender, OutputStreamer.Settings.OFF, message -> false);
    }

    /**
     * @param streaming  whether and how running commands' output is streamed live ({@link OutputStreamer})
     * @param liveSender sends one live-output message if connected (false: not sent, and not retried)
     */
    public CommandExecutor(Journal journal, Outbox outbox, ProcessRunner runner, Consumer<AgentMessage> sender,
                           OutputStreamer.Settings streaming, java.util.function.Predicate<AgentMessage> liveSender) {
        this.journal = journal;
        this.outbox = outbox;
        this.runner = runner;
        this.sender = sender;
        this.streaming = streaming;
        this.liveSender = liveSender;
    }

    public void onRun(RunCommand command) {
        UUID id = command.commandId();
        if (id == null) {
            return;
        }
        RunningCommand handle = new RunningCommand(id);
        synchronized (this) {
            if (intakeStopped && !journal.hasClaimed(id)) {
                // About to restart into a new version: leave it unclaimed; the server sends it again
                // (it is still unstarted there) once the new version connects.
                log.info("command {} arrived during an update restart; leaving it for the next version", id);
                return;
            }
            if (journal.hasClaimed(id) || !journal.claim(id)) {
                repeatState(id);
                return;
            }
            running.put(id, handle);
        }
        log.info("running command {} ({}, {}, timeout {} s)", id, command.commandType(), command.context(), command.timeoutSeconds());
        Thread.ofVirtual().name("command-" + id).start(() -> execute(command, handle));
    }

    private void repeatState(UUID id) {
        if (running.containsKey(id)) {
            log.info("command {} delivered again while running; not starting it twice", id);
            sender.accept(new AgentMessage.CommandStarted(id, startedAt.getOrDefault(id, Instant.now())));
        } else {
            outbox.get(id).ifPresentOrElse(result -> {
                log.info("command {} delivered again after it finished; resending its result", id);
                sender.accept(result);
            }, () -> log.info("command {} delivered again; it already ran and its result was acknowledged", id));
        }
    }

    /**
     * {@code command_started} waits this long after the launch: a command that is done sooner
     * sends only its result (which carries {@code started_at}), which saves the server one write
     * per command, a third of a fan-out's. Nothing depends on the earlier notice: the command is
     * {@code running} from its dispatch, and a redelivery while it runs is answered at once.
     */
    static final java.time.Duration STARTED_NOTICE_DELAY = java.time.Duration.ofMillis(100);

    /** Either the delayed {@code command_started} goes out before the result, or not at all. */
    private static final class StartNotice {
        private boolean finished;

        synchronized void sendUnlessFinished(Runnable send) {
            if (!finished) {
                send.run();
            }
        }

        synchronized void finish() {
            finished = true;
        }
    }

    private void execute(RunCommand command, RunningCommand handle) {
        UUID id = command.commandId();
        CommandResult result;
        OutputStreamer live = streaming.enabled() ? new OutputStreamer(id, streaming, liveSender) : null;
        StartNotice notice = new StartNotice();
        try {
            result = runner.run(command, handle, (pid, processStart) -> {
                journal.markRunning(id, pid, processStart);
                Instant now = Instant.now();
                startedAt.put(id, now);
                Thread.ofVirtual().name("started-" + id).start(() -> {
                    try {
                        Thread.sleep(STARTED_NOTICE_DELAY);
                    } catch (InterruptedException e) {
                        return;
                    }
                    notice.sendUnlessFinished(() -> sender.accept(new AgentMessage.CommandStarted(id, now)));
                });
            }, live);
        } catch (RuntimeException | LinkageError e) {
            // Never left "running" for good: a class that cannot load is a failed command, not a stuck one.
            log.error("command {} crashed the runner", id, e);
            result = new CommandResult(id, "failed", null, "", e.toString(), false, false,
                    "the agent failed while running the command: " + e, Instant.now(), Instant.now());
        }
        notice.finish();
        if (live != null) {
            // The last chunks go out before the result, so a follower has them all when it sees the final status.
            live.finish();
        }
        if (sandboxNote != null && !com.gururmm.protocol.FileSystemView.HOST.wireName().equals(result.view())) {
            // The process saw the sandbox (it asked to, or could not leave it): say so.
            result = result.withSandboxNote(sandboxNote);
        }
        // Stored (synced, and marked done with it) before it is sent; the bookkeeping waits until it is on its way.
        outbox.put(result);
        sender.accept(result);
        running.remove(id);
        startedAt.remove(id);
        log.info("command {} {} (exit {})", id, result.status(), result.exitCode());
    }

    /** Stops taking new commands (before an update restart); running ones finish normally. */
    public synchronized void stopIntake() {
        intakeStopped = true;
    }

    /** Results of commands that saw the agent's sandbox carry this note (the agent runs in a restricted mount namespace). */
    public void noteSandbox(String note) {
        this.sandboxNote = note;
    }

    public void onCancel(UUID id) {
        RunningCommand handle;
        synchronized (this) {
            handle = running.get(id);
            if (handle == null && journal.claim(id)) {
                // Cancelled before it arrived (or before it started): claim the id so that a
                // delivery still in flight is never run.
                journal.markDone(id);
                log.info("command {} was cancelled before it started; it will not run", id);
                return;
            }
        }
        if (handle != null) {
            log.info("cancelling command {}", id);
            handle.cancel();
        }
    }

    public void onAck(UUID id) {
        outbox.remove(id);
    }

    public int runningCount() {
        return running.size();
    }

    /** Called once at start, before connecting: settle commands the previous agent process left behind. */
    public void recoverAfterRestart() {
        for (Journal.Entry entry : journal.unfinished()) {
            UUID id = entry.commandId();
            if (outbox.contains(id)) {
                journal.markDone(id);
                continue;
            }
            boolean killed = entry.pid() != null && ProcessTrees.killIfSame(entry.pid(), entry.processStart());
            log.warn("command {} was interrupted by an agent restart{}; reporting it failed", id,
                    killed ? " (killed its orphaned process tree, pid " + entry.pid() + ")" : "");
            Instant now = Instant.now();
            outbox.put(new CommandResult(id, "failed", null, "", RESTARTED, false, false, RESTARTED, entry.updatedAt(), now));
            journal.markDone(id);
        }
        journal.prune(Instant.now());
    }
}
