package com.gururmm.agent.platform.windows;

import com.gururmm.agent.platform.CommandRefusedException;
import com.gururmm.agent.platform.Launch;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates a {@code user_session} process as the session's user, in this order:
 *
 * <ol>
 *   <li>the user's primary token ({@link UserTokens}) and their own environment block, with
 *       the agent's variables added;</li>
 *   <li>stdin on {@code NUL}, one pipe each for stdout and stderr, and a Job Object with
 *       {@code KILL_ON_JOB_CLOSE} (so a timeout, a cancel, or the agent itself dying ends
 *       the whole tree);</li>
 *   <li>the process, created <em>suspended</em>, assigned to the job, and only then resumed,
 *       so it cannot start a child outside the job;</li>
 *   <li>the agent's copies of the child's ends (stdin, pipe write ends), the thread and the
 *       token are closed, so the pipes reach end-of-file when the child's tree exits.</li>
 * </ol>
 * Any failure closes everything opened so far (and terminates the suspended process).
 *
 * <p>The pipe write ends are inheritable from their creation until they are closed here; a
 * {@link ProcessBuilder} start on another thread in that window would inherit them too, which
 * only delays end-of-file until that process exits (the runner's drain timeout bounds it).
 */
final class UserSessionStarter implements Launch.Starter {
    private static final Logger log = LoggerFactory.getLogger(UserSessionStarter.class);

    private final Win32 win32;
    private final ActiveSessions.Choice session;
    private final List<String> argv;

    UserSessionStarter(Win32 win32, ActiveSessions.Choice session, List<String> argv) {
        this.win32 = win32;
        this.session = session;
        this.argv = List.copyOf(argv);
    }

    @Override
    public Process start(Path workDir, Map<String, String> environment) throws IOException, CommandRefusedException {
        String commandLine = CommandLine.of(argv);
        UserTokens.Token token = UserTokens.open(win32, session);
        try (HandleScope scope = new HandleScope(win32)) {
            scope.add(token.handle());
            String block = EnvironmentBlock.encode(EnvironmentBlock.merge(win32.environmentBlock(token.handle()), environment));
            Win32.Handle stdin = scope.add(win32.openNul());
            Win32.Pipe out = pipe(scope);
            Win32.Pipe err = pipe(scope);
            Win32.Handle job = scope.add(win32.createJob());
            win32.setKillOnClose(job, true);
            Win32.Started started = win32.createProcessAsUser(token.handle(), argv.getFirst(), commandLine,
                    workDir.toString(), block, stdin, out.write(), err.write());
            scope.add(started.thread());
            scope.addProcess(started.process());
            win32.assignToJob(job, started.process());
            win32.resumeThread(started.thread());
            log.info("started pid {} as {} in session {}{}", started.pid(), session.user(), session.sessionId(),
                    token.elevated() ? " (administrator: elevated linked token)" : "");
            Win32Process process = new Win32Process(win32, started.process(), started.pid(), job, out.read(), err.read());
            scope.handOver(started.process(), job, out.read(), err.read());
            return process;
        }
    }

    private Win32.Pipe pipe(HandleScope scope) throws Win32Exception {
        Win32.Pipe pipe = win32.createPipe();
        scope.add(pipe.read());
        scope.add(pipe.write());
        return pipe;
    }
}
