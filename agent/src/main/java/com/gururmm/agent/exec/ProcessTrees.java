package com.gururmm.agent.exec;

import java.time.Instant;
import java.util.Optional;

/** Killing process trees, including orphans left by an agent that died mid-command. */
public final class ProcessTrees {
    private ProcessTrees() {
    }

    public static void kill(ProcessHandle root) {
        root.descendants().forEach(ProcessHandle::destroyForcibly);
        root.destroyForcibly();
    }

    /**
     * Kills the tree rooted at {@code pid} if that pid still belongs to the process we started
     * (same start time), not to an unrelated process that reused the number.
     */
    public static boolean killIfSame(long pid, Instant expectedStart) {
        Optional<ProcessHandle> handle = ProcessHandle.of(pid);
        if (handle.isEmpty() || !handle.get().isAlive()) {
            return false;
        }
        Optional<Instant> start = handle.get().info().startInstant();
        if (expectedStart != null && start.isPresent()
                && Math.abs(start.get().toEpochMilli() - expectedStart.toEpochMilli()) > 1_000) {
            return false;
        }
        kill(handle.get());
        return true;
    }
}
