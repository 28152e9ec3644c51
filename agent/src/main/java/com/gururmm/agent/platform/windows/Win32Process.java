package com.gururmm.agent.platform.windows;

import com.gururmm.agent.platform.TreeKillable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A process made by {@code CreateProcessAsUser}, presented as a {@link Process} so the runner
 * treats it like any other: output streams, {@code waitFor}, {@code exitValue}, and a tree
 * kill that terminates its Job Object (every descendant included).
 *
 * <p>A platform thread waits on the process handle (a blocking native wait must not pin a
 * virtual thread's carrier) and completes {@link #exit}. When the process has exited and both
 * output pipes reached end-of-file, the job is released: kill-on-close is cleared first, so
 * closing it does not kill what the command deliberately left running in the user's session
 * (an application it opened), just as on Linux a finished command's detached children live
 * on. Until then, if the agent itself dies, Windows closes the job handle and kills the tree.
 */
final class Win32Process extends Process implements TreeKillable {
    private static final Logger log = LoggerFactory.getLogger(Win32Process.class);
    /** Exit code given to processes ended by a timeout or cancel. */
    static final int KILLED_EXIT_CODE = 1;

    private final Win32 win32;
    private final Win32.Handle process;
    private final int pid;
    private final Win32.Handle job;
    private final InputStream stdout;
    private final InputStream stderr;
    private final CompletableFuture<Integer> exit = new CompletableFuture<>();
    /** The exit watcher and the two pumps; the job and process handles are released when all three are done. */
    private final AtomicInteger running = new AtomicInteger(3);
    private boolean released;
    private boolean treeKilled;

    /** Takes ownership of {@code process}, {@code job} and both read handles, unless it throws. */
    Win32Process(Win32 win32, Win32.Handle process, int pid, Win32.Handle job, Win32.Handle stdoutRead, Win32.Handle stderrRead)
            throws IOException {
        this.win32 = win32;
        this.process = process;
        this.pid = pid;
        this.job = job;
        HandlePump out = new HandlePump(win32, stdoutRead);
        HandlePump err = new HandlePump(win32, stderrRead);
        this.stdout = out.stream();
        this.stderr = err.stream();
        out.start("win32-stdout-" + pid, this::partDone);
        err.start("win32-stderr-" + pid, this::partDone);
        Thread.ofPlatform().daemon().name("win32-exit-" + pid).start(this::watchExit);
    }

    private void watchExit() {
        try {
            win32.waitForExit(process, Win32.INFINITE);
            exit.complete(win32.exitCode(process));
        } catch (Win32Exception e) {
            log.warn("could not wait for pid {}: {}", pid, e.getMessage());
            exit.complete(-1);
        } finally {
            partDone();
        }
    }

    private void partDone() {
        if (running.decrementAndGet() == 0) {
            release();
        }
    }

    private synchronized void release() {
        if (released) {
            return;
        }
        released = true;
        if (!treeKilled) {
            try {
                win32.setKillOnClose(job, false);
            } catch (Win32Exception e) {
                log.warn("could not release the job of pid {}; processes it left running end now: {}", pid, e.getMessage());
            }
        }
        win32.close(job);
        win32.close(process);
    }

    @Override
    public synchronized void killTree() {
        if (released) {
            return; // nothing of ours is running and the handles are closed
        }
        treeKilled = true;
        try {
            win32.terminateJob(job, KILLED_EXIT_CODE);
        } catch (Win32Exception e) {
            log.warn("TerminateJobObject failed for pid {}; terminating the process alone: {}", pid, e.getMessage());
            try {
                win32.terminateProcess(process, KILLED_EXIT_CODE);
            } catch (Win32Exception again) {
                log.warn("TerminateProcess failed for pid {}: {}", pid, again.getMessage());
            }
        }
    }

    @Override
    public OutputStream getOutputStream() {
        return OutputStream.nullOutputStream(); // stdin is NUL
    }

    @Override
    public InputStream getInputStream() {
        return stdout;
    }

    @Override
    public InputStream getErrorStream() {
        return stderr;
    }

    @Override
    public int waitFor() throws InterruptedException {
        try {
            return exit.get();
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
    }

    @Override
    public boolean waitFor(long timeout, TimeUnit unit) throws InterruptedException {
        try {
            exit.get(Math.max(0, timeout), unit);
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
    }

    @Override
    public int exitValue() {
        if (!exit.isDone()) {
            throw new IllegalThreadStateException("process " + pid + " has not exited");
        }
        return exit.join();
    }

    @Override
    public boolean isAlive() {
        return !exit.isDone();
    }

    @Override
    public void destroy() {
        killTree();
    }

    @Override
    public Process destroyForcibly() {
        killTree();
        return this;
    }

    @Override
    public boolean supportsNormalTermination() {
        return false;
    }

    @Override
    public CompletableFuture<Process> onExit() {
        return exit.thenApply(code -> this);
    }

    @Override
    public long pid() {
        return pid;
    }

    @Override
    public ProcessHandle toHandle() {
        return ProcessHandle.of(pid).orElseThrow(() -> new UnsupportedOperationException("process " + pid + " is gone"));
    }

    @Override
    public ProcessHandle.Info info() {
        return ProcessHandle.of(pid).map(ProcessHandle::info).orElse(com.gururmm.agent.platform.UnknownProcessInfo.INSTANCE);
    }
}
