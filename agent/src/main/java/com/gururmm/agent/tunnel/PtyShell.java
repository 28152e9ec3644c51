package com.gururmm.agent.tunnel;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/** A running shell on a pseudo-terminal, as a tunnel session sees it (a seam: tests start fakes). */
interface PtyShell {
    /** What the shell writes to its terminal. */
    InputStream output();

    /** What the user types. */
    OutputStream input();

    void resize(int cols, int rows);

    long pid();

    /** The terminal's name ({@code /dev/pts/3}, {@code conpty}). */
    String tty();

    /** Waits for the shell to exit; returns its status. */
    int waitFor() throws InterruptedException;

    /** Kills the shell and every process it started (its tree and its process group). */
    void killTree();

    /** Starts shells. */
    @FunctionalInterface
    interface Starter {
        PtyShell start(com.gururmm.agent.platform.ShellLaunch launch, int cols, int rows) throws IOException;
    }
}
