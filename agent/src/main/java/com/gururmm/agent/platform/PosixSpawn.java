package com.gururmm.agent.platform;

import com.sun.jna.Library;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.StringArray;
import com.sun.jna.ptr.IntByReference;
import java.io.File;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts a command's process in a session of its own with one {@code posix_spawn} (glibc's
 * {@code POSIX_SPAWN_SETSID}), where {@link ProcessBuilder} needs a helper and {@code setsid}
 * before the interpreter: three {@code execve} per command, 1.4 ms more than the interpreter alone
 * on the benchmark machine (docs/BENCHMARKS.md). The guarantees are those of {@code setsid}: the
 * process leads a new session and process group, so killing the group ends the whole tree, and
 * it has no controlling terminal. What the child gets is set explicitly: stdin from
 * {@code /dev/null}, stdout and stderr to pipes, the working directory, exactly the given
 * environment, default signal handling with nothing blocked, and no other file descriptor of the
 * agent (closed from 3 up in the child).
 *
 * <p>Needs glibc 2.34 ({@code posix_spawn_file_actions_addclosefrom_np}; Debian 12, RHEL 9, Ubuntu
 * 22.04): elsewhere {@link #available} is false and commands start through {@code setsid} as before.
 */
final class PosixSpawn {
    private static final Logger log = LoggerFactory.getLogger(PosixSpawn.class);
    private static final short POSIX_SPAWN_SETSIGDEF = 0x04;
    private static final short POSIX_SPAWN_SETSIGMASK = 0x08;
    private static final short POSIX_SPAWN_SETSID = 0x80;
    private static final int O_RDONLY = 0;
    private static final int O_CLOEXEC = 0x80000;
    private static final int SIGTERM = 15;
    private static final int SIGKILL = 9;
    private static final int EINTR = 4;

    /** glibc's functions; buffers are over-allocated (glibc's types are 80, 336 and 128 bytes on x86-64). */
    interface LibC extends Library {
        int posix_spawnp(IntByReference pid, String file, Pointer fileActions, Pointer attributes, StringArray argv, StringArray envp);

        int posix_spawn_file_actions_init(Pointer actions);

        int posix_spawn_file_actions_destroy(Pointer actions);

        int posix_spawn_file_actions_adddup2(Pointer actions, int fd, int newFd);

        int posix_spawn_file_actions_addopen(Pointer actions, int fd, String path, int flags, int mode);

        int posix_spawn_file_actions_addchdir_np(Pointer actions, String path);

        int posix_spawn_file_actions_addclosefrom_np(Pointer actions, int from);

        int posix_spawnattr_init(Pointer attributes);

        int posix_spawnattr_destroy(Pointer attributes);

        int posix_spawnattr_setflags(Pointer attributes, short flags);

        int posix_spawnattr_setsigmask(Pointer attributes, Pointer set);

        int posix_spawnattr_setsigdefault(Pointer attributes, Pointer set);

        int sigemptyset(Pointer set);

        int sigfillset(Pointer set);

        int pipe2(int[] fds, int flags);

        int close(int fd);

        int kill(int pid, int signal);

        int waitpid(int pid, IntByReference status, int options);

        String strerror(int errno);
    }

    private static final Optional<LibC> LIBC = load();

    private PosixSpawn() {
    }

    private static Optional<LibC> load() {
        if (!System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT).contains("linux")
                || "off".equals(System.getenv("GURURMM_POSIX_SPAWN"))) {
            return Optional.empty();
        }
        try {
            LibC libc = Native.load("c", LibC.class);
            // Resolved now, so a libc without them (musl, glibc before 2.34) falls back at once, not mid-command.
            com.sun.jna.NativeLibrary lib = com.sun.jna.NativeLibrary.getInstance("c");
            lib.getFunction("posix_spawn_file_actions_addclosefrom_np");
            lib.getFunction("posix_spawn_file_actions_addchdir_np");
            return Optional.of(libc);
        } catch (LinkageError | RuntimeException e) {
            // No JNA here (its native part cannot be unpacked or loaded) or no such glibc function.
            log.info("starting commands through setsid: posix_spawn with a new session is not available here ({})", e.toString());
            return Optional.empty();
        }
    }

    static boolean available() {
        return LIBC.isPresent();
    }

    /** Starts {@code argv} (argv[0] looked up on the agent's PATH if not absolute) in a new session. */
    static Process start(List<String> argv, Path workDir, Map<String, String> environment) throws IOException {
        LibC libc = LIBC.orElseThrow(() -> new IOException("posix_spawn is not available"));
        int[] out = pipe(libc);
        int[] err;
        try {
            err = pipe(libc);
        } catch (IOException e) {
            closeAll(libc, out);
            throw e;
        }
        Memory actions = new Memory(512);
        Memory attributes = new Memory(1024);
        Memory signals = new Memory(256);
        IntByReference pid = new IntByReference();
        if (libc.posix_spawn_file_actions_init(actions) != 0) {
            closeAll(libc, out);
            closeAll(libc, err);
            throw new IOException("posix_spawn_file_actions_init failed");
        }
        if (libc.posix_spawnattr_init(attributes) != 0) {
            libc.posix_spawn_file_actions_destroy(actions);
            closeAll(libc, out);
            closeAll(libc, err);
            throw new IOException("posix_spawnattr_init failed");
        }
        try {
            check(libc.posix_spawn_file_actions_addopen(actions, 0, "/dev/null", O_RDONLY, 0), "addopen");
            check(libc.posix_spawn_file_actions_adddup2(actions, out[1], 1), "adddup2");
            check(libc.posix_spawn_file_actions_adddup2(actions, err[1], 2), "adddup2");
            check(libc.posix_spawn_file_actions_addclosefrom_np(actions, 3), "addclosefrom_np");
            check(libc.posix_spawn_file_actions_addchdir_np(actions, workDir.toString()), "addchdir_np");
            libc.sigemptyset(signals);
            check(libc.posix_spawnattr_setsigmask(attributes, signals), "setsigmask");
            libc.sigfillset(signals);
            check(libc.posix_spawnattr_setsigdefault(attributes, signals), "setsigdefault");
            check(libc.posix_spawnattr_setflags(attributes, (short) (POSIX_SPAWN_SETSID | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF)),
                    "setflags");
            String[] env = environment.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toArray(String[]::new);
            int result = libc.posix_spawnp(pid, argv.get(0), actions, attributes, new StringArray(argv.toArray(String[]::new)),
                    new StringArray(env));
            if (result != 0) {
                throw new IOException("Cannot run program \"" + argv.get(0) + "\" (in directory \"" + workDir + "\"): error="
                        + result + ", " + strerror(result));
            }
        } catch (IOException e) {
            closeAll(libc, out);
            closeAll(libc, err);
            throw e;
        } finally {
            libc.posix_spawn_file_actions_destroy(actions);
            libc.posix_spawnattr_destroy(attributes);
        }
        // The child holds the write ends now; ours would keep the pipes open after it exits.
        libc.close(out[1]);
        libc.close(err[1]);
        InputStream stdout = null;
        InputStream stderr = null;
        boolean stderrTaken = false; // adopt closes the descriptor it is given, whether it succeeds or not
        try {
            stdout = adopt(libc, out[0]);
            stderrTaken = true;
            stderr = adopt(libc, err[0]);
            return new SpawnedProcess(libc, pid.getValue(), stdout, stderr);
        } catch (IOException | RuntimeException e) {
            // Running, but nobody could follow or stop it: end its group now rather than leave it untracked.
            libc.kill(-pid.getValue(), SIGKILL);
            libc.waitpid(pid.getValue(), new IntByReference(), 0);
            closeQuietly(stdout);
            closeQuietly(stderr);
            if (!stderrTaken) {
                libc.close(err[0]);
            }
            throw e instanceof IOException io ? io : new IOException("cannot follow the started process: " + e, e);
        }
    }

    private static void closeQuietly(InputStream stream) {
        if (stream != null) {
            try {
                stream.close();
            } catch (IOException ignored) {
                // a pipe we only read from
            }
        }
    }

    private static int[] pipe(LibC libc) throws IOException {
        int[] fds = new int[2];
        if (libc.pipe2(fds, O_CLOEXEC) != 0) {
            throw new IOException("pipe2 failed: " + strerror(Native.getLastError()));
        }
        return fds;
    }

    /** A read end as a Java stream: opened again through /proc (a descriptor of its own), the original closed. */
    private static InputStream adopt(LibC libc, int fd) throws IOException {
        try {
            return new FileInputStream(new File("/proc/self/fd/" + fd));
        } finally {
            libc.close(fd);
        }
    }

    private static void closeAll(LibC libc, int[] fds) {
        for (int fd : fds) {
            libc.close(fd);
        }
    }

    private static void check(int result, String call) throws IOException {
        if (result != 0) {
            throw new IOException(call + " failed: " + strerror(result));
        }
    }

    private static String strerror(int errno) {
        return LIBC.map(libc -> libc.strerror(errno)).orElse("errno " + errno);
    }

    /** A process started by {@link #start}: reaped by a thread of its own, as the JDK reaps its children. */
    static final class SpawnedProcess extends Process {
        private final LibC libc;
        private final int pid;
        private final InputStream stdout;
        private final InputStream stderr;
        private final CompletableFuture<Integer> exit = new CompletableFuture<>();
        /**
         * Taken before the reaper can reap it (until then it exists, at least as a zombie): the JDK's
         * handle remembers the start time, so it never acts on a later process that reuses the pid.
         */
        private final ProcessHandle handle;

        SpawnedProcess(LibC libc, int pid, InputStream stdout, InputStream stderr) {
            this.libc = libc;
            this.pid = pid;
            this.stdout = stdout;
            this.stderr = stderr;
            this.handle = ProcessHandle.of(pid).orElseThrow(() -> new IllegalStateException("process " + pid + " vanished unreaped"));
            Thread.ofPlatform().name("reaper-" + pid).daemon().stackSize(64 * 1024).start(this::reap);
        }

        private void reap() {
            IntByReference status = new IntByReference();
            while (true) {
                int result = libc.waitpid(pid, status, 0);
                if (result == pid) {
                    int s = status.getValue();
                    int signal = s & 0x7f;
                    // As the JDK reports them: the exit code, or 128 + the signal that ended it.
                    exit.complete(signal == 0 ? (s >> 8) & 0xff : 0x80 + signal);
                    return;
                }
                if (result == -1 && Native.getLastError() != EINTR) {
                    exit.complete(0x80 + SIGKILL); // not ours to wait for any more: gone
                    return;
                }
            }
        }

        @Override
        public OutputStream getOutputStream() {
            return OutputStream.nullOutputStream(); // stdin is /dev/null
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
                throw new IllegalStateException(e);
            }
        }

        @Override
        public boolean waitFor(long timeout, TimeUnit unit) throws InterruptedException {
            try {
                exit.get(timeout, unit);
                return true;
            } catch (TimeoutException e) {
                return false;
            } catch (ExecutionException e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        public int exitValue() {
            Integer value = exit.getNow(null);
            if (value == null) {
                throw new IllegalThreadStateException("process " + pid + " has not exited");
            }
            return value;
        }

        @Override
        public boolean isAlive() {
            return !exit.isDone();
        }

        @Override
        public void destroy() {
            if (!exit.isDone()) {
                libc.kill(pid, SIGTERM);
            }
        }

        @Override
        public Process destroyForcibly() {
            if (!exit.isDone()) {
                libc.kill(pid, SIGKILL);
            }
            return this;
        }

        @Override
        public long pid() {
            return pid;
        }

        @Override
        public CompletableFuture<Process> onExit() {
            return exit.thenApply(code -> this);
        }

        @Override
        public ProcessHandle toHandle() {
            return handle;
        }

        @Override
        public ProcessHandle.Info info() {
            return handle.isAlive() ? handle.info() : UnknownProcessInfo.INSTANCE;
        }

        @Override
        public boolean supportsNormalTermination() {
            return true;
        }

        @Override
        public java.util.stream.Stream<ProcessHandle> descendants() {
            return handle.descendants();
        }

        @Override
        public java.util.stream.Stream<ProcessHandle> children() {
            return handle.children();
        }
    }
}
