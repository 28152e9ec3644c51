package com.gururmm.agent.platform.windows;

import java.util.List;

/**
 * The Win32 calls a {@code user_session} command needs, one method per call, so that every
 * decision made around them (which session, which token, what to close when a step fails) can
 * be unit-tested on Linux against a fake. {@link JnaWin32} is the only real implementation;
 * it is compiled here but can only run on Windows, so that path is mock-tested only in this
 * repository's CI.
 *
 * <p>Handles are plain numbers so a fake can hand out its own; ownership rules are the
 * caller's, as in Win32: whoever receives a handle closes it with {@link #close}.
 */
public interface Win32 {
    /** {@code WTSGetActiveConsoleSessionId} when no session is attached to the console. */
    int NO_CONSOLE_SESSION = 0xFFFFFFFF;
    /** Pass to {@link #waitForExit} to wait without a limit. */
    long INFINITE = -1;
    int ERROR_ACCESS_DENIED = 5;
    /** {@code WTSQueryUserToken}: nobody is logged on in that session. */
    int ERROR_NO_TOKEN = 1008;
    /** {@code WTSQueryUserToken}: the session no longer exists. */
    int ERROR_CTX_WINSTATION_NOT_FOUND = 7022;

    record Handle(long value) {
    }

    /** One row of {@code WTSEnumerateSessions}; {@code active} is {@code State == WTSActive}. */
    record Session(int id, boolean active) {
    }

    /** An anonymous pipe: the read end stays with the agent (not inheritable), the write end goes to the child. */
    record Pipe(Handle read, Handle write) {
    }

    /** What {@code CreateProcessAsUser} returns: process and primary-thread handles, and the pid. */
    record Started(Handle process, Handle thread, int pid) {
    }

    int activeConsoleSessionId();

    List<Session> sessions() throws Win32Exception;

    /** {@code DOMAIN\\user} logged on in the session, or "" if none (e.g. the sign-in screen). */
    String sessionUser(int sessionId) throws Win32Exception;

    /** {@code WTSQueryUserToken}: an impersonation token for the session's user. */
    Handle queryUserToken(int sessionId) throws Win32Exception;

    /** True when UAC filtered the token ({@code TokenElevationTypeLimited}): an admin whose full token is linked. */
    boolean isFilteredAdmin(Handle token) throws Win32Exception;

    /** {@code GetTokenInformation(TokenLinkedToken)}: the admin's full (elevated) token. */
    Handle linkedToken(Handle token) throws Win32Exception;

    /** {@code DuplicateTokenEx(..., SecurityImpersonation, TokenPrimary)}: a token CreateProcessAsUser accepts. */
    Handle duplicatePrimary(Handle token) throws Win32Exception;

    /**
     * {@code CreateEnvironmentBlock} for the token (without inheriting the agent's own
     * environment), returned as its {@code name=value\0...} text; the native block is freed.
     */
    String environmentBlock(Handle token) throws Win32Exception;

    /** An inheritable read handle on {@code NUL}: the child's stdin is at end-of-file. */
    Handle openNul() throws Win32Exception;

    Pipe createPipe() throws Win32Exception;

    Handle createJob() throws Win32Exception;

    /** Sets or clears {@code JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE}. */
    void setKillOnClose(Handle job, boolean kill) throws Win32Exception;

    /**
     * {@code CreateProcessAsUser} on desktop {@code winsta0\default} with
     * {@code CREATE_SUSPENDED | CREATE_NO_WINDOW | CREATE_UNICODE_ENVIRONMENT}, inheriting the
     * three standard handles given. The process does not run until {@link #resumeThread}.
     */
    Started createProcessAsUser(Handle token, String application, String commandLine, String directory,
                                String environmentBlock, Handle stdin, Handle stdout, Handle stderr) throws Win32Exception;

    void assignToJob(Handle job, Handle process) throws Win32Exception;

    void resumeThread(Handle thread) throws Win32Exception;

    void terminateJob(Handle job, int exitCode) throws Win32Exception;

    void terminateProcess(Handle process, int exitCode) throws Win32Exception;

    /** True once the process has exited; false if {@code millis} passed first. */
    boolean waitForExit(Handle process, long millis) throws Win32Exception;

    int exitCode(Handle process) throws Win32Exception;

    /** {@code ReadFile} on a pipe: bytes read, or -1 when every write end is closed. */
    int read(Handle pipe, byte[] buffer) throws Win32Exception;

    /** {@code CloseHandle}; failures are ignored (there is nothing useful to do about them). */
    void close(Handle handle);
}
