package com.gururmm.agent.platform.windows;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Owns the handles opened while a process is being created and closes, in reverse order,
 * every one that was not handed over, so that no failure path leaks a token, pipe or job.
 * A process registered with {@link #addProcess} is terminated before its handle is closed:
 * it was created suspended, so if a later step fails it must never run.
 */
final class HandleScope implements AutoCloseable {
    private final Win32 win32;
    private final Deque<Win32.Handle> owned = new ArrayDeque<>();
    private Win32.Handle process;

    HandleScope(Win32 win32) {
        this.win32 = win32;
    }

    Win32.Handle add(Win32.Handle handle) {
        owned.push(handle);
        return handle;
    }

    Win32.Handle addProcess(Win32.Handle handle) {
        process = handle;
        return add(handle);
    }

    /** The caller now owns these; they will not be closed here. */
    void handOver(Win32.Handle... handles) {
        for (Win32.Handle handle : handles) {
            owned.remove(handle);
            if (handle.equals(process)) {
                process = null;
            }
        }
    }

    @Override
    public void close() {
        if (process != null) {
            try {
                win32.terminateProcess(process, 1);
            } catch (Win32Exception ignored) {
                // closing its job (kill-on-close) below still ends it if it was assigned
            }
        }
        while (!owned.isEmpty()) {
            win32.close(owned.pop());
        }
    }
}
