package com.gururmm.agent.exec;

import com.gururmm.agent.platform.Platform;
import com.gururmm.agent.platform.TreeKillable;
import java.util.UUID;

/** Handle on a command in flight: lets a cancel from the server kill its process tree. */
public final class RunningCommand {
    private final UUID commandId;
    private volatile Process process;
    private volatile Platform platform;
    private volatile boolean cancelled;

    public RunningCommand(UUID commandId) {
        this.commandId = commandId;
    }

    public UUID commandId() {
        return commandId;
    }

    synchronized void attach(Process process, Platform platform) {
        this.process = process;
        this.platform = platform;
        if (cancelled) {
            killTree();
        }
    }

    public synchronized void cancel() {
        cancelled = true;
        killTree();
    }

    public boolean cancelled() {
        return cancelled;
    }

    /**
     * Kills the process group, then every remaining descendant, then the process itself; or,
     * for a process that kills its own tree (a Windows Job Object), lets it do that.
     */
    synchronized void killTree() {
        Process p = process;
        if (p == null) {
            return;
        }
        if (p instanceof TreeKillable tree) {
            tree.killTree();
            return;
        }
        if (platform != null) {
            platform.killGroup(p.pid());
        }
        ProcessTrees.kill(p.toHandle());
    }
}
