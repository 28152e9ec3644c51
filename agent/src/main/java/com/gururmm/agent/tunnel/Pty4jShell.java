package com.gururmm.agent.tunnel;

import com.gururmm.agent.exec.ProcessTrees;
import com.gururmm.agent.platform.ShellLaunch;
import com.pty4j.PtyProcess;
import com.pty4j.PtyProcessBuilder;
import com.pty4j.WinSize;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.LongConsumer;

/**
 * A {@link PtyShell} on pty4j: a Unix pty (the child is a session leader with the pty as its
 * controlling terminal) or, with {@link ShellLaunch#conPty()}, a Windows pseudo console (ConPTY,
 * through JNA). The process tree is killed by walking its descendants and, on Unix, killing
 * its process group, so background jobs die with the session.
 */
final class Pty4jShell implements PtyShell {
    private final PtyProcess process;
    private final boolean conPty;
    private final LongConsumer killGroup;

    private Pty4jShell(PtyProcess process, boolean conPty, LongConsumer killGroup) {
        this.process = process;
        this.conPty = conPty;
        this.killGroup = killGroup;
    }

    static PtyShell.Starter starter(LongConsumer killGroup) {
        return (launch, cols, rows) -> {
            PtyProcess process = new PtyProcessBuilder(launch.argv().toArray(String[]::new))
                    .setEnvironment(launch.environment())
                    .setDirectory(launch.workDir().toString())
                    .setInitialColumns(cols)
                    .setInitialRows(rows)
                    .setConsole(false)
                    .setRedirectErrorStream(true)
                    .setUseWinConPty(launch.conPty())
                    .start();
            return new Pty4jShell(process, launch.conPty(), killGroup);
        };
    }

    @Override
    public InputStream output() {
        return process.getInputStream();
    }

    @Override
    public OutputStream input() {
        return process.getOutputStream();
    }

    @Override
    public void resize(int cols, int rows) {
        if (process.isAlive()) {
            process.setWinSize(new WinSize(cols, rows));
        }
    }

    @Override
    public long pid() {
        return process.pid();
    }

    @Override
    public String tty() {
        if (conPty) {
            return "conpty";
        }
        // Linux: the shell's stdin is the pty's slave side, once pty4j's spawn helper has set it up and exec'd
        // (for a moment after start it can still be the helper's pipe).
        for (int attempt = 0; attempt < 40; attempt++) {
            try {
                String name = Files.readSymbolicLink(Path.of("/proc/" + process.pid() + "/fd/0")).toString();
                if (name.startsWith("/dev/")) {
                    return name;
                }
                Thread.sleep(25);
            } catch (IOException | UnsupportedOperationException | SecurityException e) {
                return "pty";
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return "pty";
            }
        }
        return "pty";
    }

    @Override
    public int waitFor() throws InterruptedException {
        return process.waitFor();
    }

    @Override
    public void killTree() {
        ProcessHandle.of(process.pid()).ifPresent(root -> {
            List<ProcessHandle> tree = root.descendants().toList();
            if (!conPty) {
                killGroup.accept(process.pid());
            }
            tree.forEach(ProcessHandle::destroyForcibly);
        });
        ProcessTrees.kill(process.toHandle());
        process.destroyForcibly();
    }
}
