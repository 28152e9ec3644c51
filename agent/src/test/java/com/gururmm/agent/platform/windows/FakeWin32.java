package com.gururmm.agent.platform.windows;

import java.util.ArrayDeque;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An in-memory Windows for the {@link Win32} seam: sessions and their users, tokens (filtered
 * admin or not, impersonation or primary), anonymous pipes that reach end-of-file only when
 * every write end (the agent's and the child's inherited copy) is closed, job objects with
 * kill-on-close, and suspended processes that run a {@link Program} once resumed.
 *
 * <p>It keeps a handle table so tests can assert that nothing leaks and nothing is closed
 * twice, and {@link #failAt} makes any one call fail, to walk every failure path.
 */
public final class FakeWin32 implements Win32 {
    /** What a fake process does once resumed; returns its exit code. */
    @FunctionalInterface
    public interface Program {
        int run(FakeProcess process) throws InterruptedException;
    }

    public volatile int console = NO_CONSOLE_SESSION;
    public final List<Session> sessions = new CopyOnWriteArrayList<>();
    public final Map<Integer, String> users = new ConcurrentHashMap<>();
    /** Sessions whose user is an administrator with a UAC-filtered token. */
    public final Set<Integer> admins = ConcurrentHashMap.newKeySet();
    /** Sessions whose token query fails with ERROR_NO_TOKEN although a user name is shown (sign-out race). */
    public final Set<Integer> signedOut = ConcurrentHashMap.newKeySet();
    public volatile String environment = "Path=C:\\Windows\\system32\0USERNAME=alice\0TEMP=C:\\Users\\alice\\AppData\\Local\\Temp\0";
    public volatile Program program = p -> 0;
    /** Name of the one method that fails (with ERROR_ACCESS_DENIED), or null. */
    public volatile String failAt;

    public final List<String> calls = new CopyOnWriteArrayList<>();
    public final List<FakeProcess> processes = new CopyOnWriteArrayList<>();
    public final List<Long> badCloses = new CopyOnWriteArrayList<>();

    private final Map<Long, Object> open = new ConcurrentHashMap<>();
    private final AtomicLong nextHandle = new AtomicLong(0x100);
    private final AtomicInteger nextPid = new AtomicInteger(50_000_000); // above any Linux pid_max

    record Token(int session, boolean primary, boolean elevated, boolean linked) {
    }

    record Nul() {
    }

    static final class Job {
        volatile boolean killOnClose;
        final List<FakeProcess> members = new CopyOnWriteArrayList<>();
        volatile boolean terminated;
    }

    record PipeEnd(FakePipe pipe, boolean write) {
    }

    record ProcessRef(FakeProcess process) {
    }

    record ThreadRef(FakeProcess process) {
    }

    /** Open handles by what they are, e.g. "Token", "PipeEnd", for leak assertions. */
    public List<String> openHandles() {
        return open.values().stream().map(o -> o.getClass().getSimpleName()).sorted().toList();
    }

    private Handle add(Object object) {
        long value = nextHandle.getAndAdd(4);
        open.put(value, object);
        return new Handle(value);
    }

    @SuppressWarnings("unchecked")
    private <T> T get(Handle handle, Class<T> type) throws Win32Exception {
        Object object = handle == null ? null : open.get(handle.value());
        if (!type.isInstance(object)) {
            throw new Win32Exception("handle check", 6, "invalid handle " + handle + " (wanted " + type.getSimpleName() + ", got " + object + ")");
        }
        return (T) object;
    }

    private void step(String name) throws Win32Exception {
        calls.add(name);
        if (name.equals(failAt)) {
            throw new Win32Exception(name, ERROR_ACCESS_DENIED, "Access is denied.");
        }
    }

    @Override
    public int activeConsoleSessionId() {
        calls.add("activeConsoleSessionId");
        return console;
    }

    @Override
    public List<Session> sessions() throws Win32Exception {
        step("sessions");
        return List.copyOf(sessions);
    }

    @Override
    public String sessionUser(int sessionId) throws Win32Exception {
        step("sessionUser");
        if (sessions.stream().noneMatch(s -> s.id() == sessionId)) {
            throw new Win32Exception("WTSQuerySessionInformation", ERROR_CTX_WINSTATION_NOT_FOUND, "no such session");
        }
        return users.getOrDefault(sessionId, "");
    }

    @Override
    public Handle queryUserToken(int sessionId) throws Win32Exception {
        step("queryUserToken");
        if (!users.containsKey(sessionId) || signedOut.contains(sessionId)) {
            throw new Win32Exception("WTSQueryUserToken", ERROR_NO_TOKEN, "An attempt was made to reference a token that does not exist.");
        }
        return add(new Token(sessionId, false, false, false));
    }

    @Override
    public boolean isFilteredAdmin(Handle token) throws Win32Exception {
        step("isFilteredAdmin");
        Token t = get(token, Token.class);
        return !t.linked() && admins.contains(t.session());
    }

    @Override
    public Handle linkedToken(Handle token) throws Win32Exception {
        step("linkedToken");
        Token t = get(token, Token.class);
        return add(new Token(t.session(), false, true, true));
    }

    @Override
    public Handle duplicatePrimary(Handle token) throws Win32Exception {
        step("duplicatePrimary");
        Token t = get(token, Token.class);
        return add(new Token(t.session(), true, t.elevated(), t.linked()));
    }

    @Override
    public String environmentBlock(Handle token) throws Win32Exception {
        step("environmentBlock");
        get(token, Token.class);
        return environment;
    }

    @Override
    public Handle openNul() throws Win32Exception {
        step("openNul");
        return add(new Nul());
    }

    @Override
    public Pipe createPipe() throws Win32Exception {
        step("createPipe");
        FakePipe pipe = new FakePipe();
        return new Pipe(add(new PipeEnd(pipe, false)), add(new PipeEnd(pipe, true)));
    }

    @Override
    public Handle createJob() throws Win32Exception {
        step("createJob");
        return add(new Job());
    }

    @Override
    public void setKillOnClose(Handle job, boolean kill) throws Win32Exception {
        step("setKillOnClose(" + kill + ")");
        get(job, Job.class).killOnClose = kill;
    }

    @Override
    public Started createProcessAsUser(Handle token, String application, String commandLine, String directory,
                                       String environmentBlock, Handle stdin, Handle stdout, Handle stderr) throws Win32Exception {
        step("createProcessAsUser");
        Token t = get(token, Token.class);
        if (!t.primary()) {
            throw new Win32Exception("CreateProcessAsUser", 1309, "A token that is not a primary token was passed.");
        }
        get(stdin, Nul.class);
        PipeEnd out = get(stdout, PipeEnd.class);
        PipeEnd err = get(stderr, PipeEnd.class);
        FakeProcess process = new FakeProcess(nextPid.getAndIncrement(), t.elevated(), application, commandLine, directory,
                EnvironmentBlock.parse(environmentBlock), out.pipe(), err.pipe());
        processes.add(process);
        return new Started(add(new ProcessRef(process)), add(new ThreadRef(process)), process.pid);
    }

    @Override
    public void assignToJob(Handle job, Handle process) throws Win32Exception {
        step("assignToJob");
        FakeProcess p = get(process, ProcessRef.class).process();
        Job j = get(job, Job.class);
        j.members.add(p);
        p.job = j;
    }

    @Override
    public void resumeThread(Handle thread) throws Win32Exception {
        step("resumeThread");
        FakeProcess p = get(thread, ThreadRef.class).process();
        p.inJobWhenResumed = p.job != null;
        Program body = program;
        p.thread = Thread.ofPlatform().daemon().name("fake-" + p.pid).start(() -> {
            int code;
            try {
                code = body.run(p);
            } catch (InterruptedException e) {
                return; // killed: finish() already ran
            }
            p.finish(code);
        });
    }

    @Override
    public void terminateJob(Handle job, int exitCode) throws Win32Exception {
        step("terminateJob");
        Job j = get(job, Job.class);
        j.terminated = true;
        j.members.forEach(p -> p.kill(exitCode));
    }

    @Override
    public void terminateProcess(Handle process, int exitCode) throws Win32Exception {
        step("terminateProcess");
        get(process, ProcessRef.class).process().kill(exitCode);
    }

    @Override
    public boolean waitForExit(Handle process, long millis) throws Win32Exception {
        FakeProcess p = get(process, ProcessRef.class).process();
        try {
            if (millis == INFINITE) {
                p.exited.await();
                return true;
            }
            return p.exited.await(millis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Win32Exception("WaitForSingleObject", 0x2E4, "interrupted");
        }
    }

    @Override
    public int exitCode(Handle process) throws Win32Exception {
        return get(process, ProcessRef.class).process().exitCode;
    }

    @Override
    public int read(Handle pipe, byte[] buffer) throws Win32Exception {
        PipeEnd end = get(pipe, PipeEnd.class);
        if (end.write()) {
            throw new Win32Exception("ReadFile", ERROR_ACCESS_DENIED, "read from a write end");
        }
        return end.pipe().read(buffer);
    }

    @Override
    public void close(Handle handle) {
        Object object = handle == null ? null : open.remove(handle.value());
        if (object == null) {
            badCloses.add(handle == null ? -1 : handle.value());
            return;
        }
        calls.add("close " + object.getClass().getSimpleName());
        if (object instanceof PipeEnd end && end.write()) {
            end.pipe().closeWriter();
        }
        if (object instanceof Job job && job.killOnClose) {
            job.members.forEach(p -> p.kill(0));
        }
    }

    /** A process the fake "runs": what the program wrote, how it was started, how it ended. */
    public static final class FakeProcess {
        public final int pid;
        public final boolean elevated;
        public final String application;
        public final String commandLine;
        public final String directory;
        public final Map<String, String> environment;
        private final FakePipe stdout;
        private final FakePipe stderr;
        final CountDownLatch exited = new CountDownLatch(1);
        volatile int exitCode = 259; // STILL_ACTIVE
        volatile boolean killed;
        volatile boolean inJobWhenResumed;
        volatile Job job;
        volatile Thread thread;
        private final Deque<Runnable> onKill = new ArrayDeque<>();

        FakeProcess(int pid, boolean elevated, String application, String commandLine, String directory,
                    Map<String, String> environment, FakePipe stdout, FakePipe stderr) {
            this.pid = pid;
            this.elevated = elevated;
            this.application = application;
            this.commandLine = commandLine;
            this.directory = directory;
            this.environment = Collections.unmodifiableMap(new HashMap<>(environment));
            this.stdout = stdout;
            this.stderr = stderr;
            stdout.openWriter(); // the child's inherited copies of the write ends
            stderr.openWriter();
        }

        public void out(String text) {
            stdout.write(text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }

        public void err(String text) {
            stderr.write(text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }

        /** Starts a background child in the same job that keeps both output pipes open until the job kills it. */
        public synchronized void leaveBackgroundChild() {
            stdout.openWriter();
            stderr.openWriter();
            onKill.push(() -> {
                stdout.closeWriter();
                stderr.closeWriter();
            });
        }

        public synchronized boolean backgroundChildAlive() {
            return !onKill.isEmpty();
        }

        /** Blocks until the job or process is terminated. */
        public void awaitKill() throws InterruptedException {
            exited.await();
            throw new InterruptedException("killed");
        }

        public boolean killed() {
            return killed;
        }

        public boolean inJobWhenResumed() {
            return inJobWhenResumed;
        }

        public int exitCode() {
            return exitCode;
        }

        synchronized void kill(int code) {
            if (exited.getCount() > 0) {
                killed = true;
            }
            while (!onKill.isEmpty()) {
                onKill.pop().run();
            }
            finish(code);
        }

        synchronized void finish(int code) {
            if (exited.getCount() == 0) {
                return;
            }
            exitCode = code;
            stdout.closeWriter();
            stderr.closeWriter();
            exited.countDown();
        }
    }

    /** An anonymous pipe: EOF once every write end is closed and the bytes are read. */
    static final class FakePipe {
        private final Deque<byte[]> chunks = new ArrayDeque<>();
        private int writers = 1; // the agent's own write end

        synchronized void openWriter() {
            writers++;
        }

        synchronized void closeWriter() {
            writers--;
            notifyAll();
        }

        synchronized void write(byte[] bytes) {
            chunks.add(bytes);
            notifyAll();
        }

        synchronized int read(byte[] buffer) {
            while (chunks.isEmpty() && writers > 0) {
                try {
                    wait();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return -1;
                }
            }
            if (chunks.isEmpty()) {
                return -1;
            }
            byte[] chunk = chunks.poll();
            int n = Math.min(chunk.length, buffer.length);
            System.arraycopy(chunk, 0, buffer, 0, n);
            if (n < chunk.length) {
                chunks.addFirst(java.util.Arrays.copyOfRange(chunk, n, chunk.length));
            }
            return n;
        }
    }

    /** Sessions helper: an active session with a user. */
    public FakeWin32 user(int session, String user, boolean active) {
        sessions.add(new Session(session, active));
        users.put(session, user);
        return this;
    }
}
