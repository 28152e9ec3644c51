package com.gururmm.agent.platform.windows;

import java.util.Comparator;
import java.util.Optional;

/**
 * Which session a {@code user_session} command runs in. The agent is a service in session 0,
 * which never has a desktop user, so it has to pick one:
 *
 * <ol>
 *   <li>the session attached to the physical console ({@code WTSGetActiveConsoleSessionId}),
 *       if a user is signed in there (not just the sign-in screen);</li>
 *   <li>else the lowest-numbered {@code WTSActive} session with a user: a Remote Desktop
 *       session on a machine nobody sits at. On a terminal server with several active users
 *       this is an arbitrary but stable choice.</li>
 * </ol>
 * Session 0 is never chosen. Sessions that vanish while being inspected are skipped.
 */
final class ActiveSessions {
    private ActiveSessions() {
    }

    /** The chosen session and its {@code DOMAIN\\user}. */
    record Choice(int sessionId, String user) {
    }

    static Optional<Choice> find(Win32 win32) throws Win32Exception {
        int console = win32.activeConsoleSessionId();
        if (console != Win32.NO_CONSOLE_SESSION && console != 0) {
            Optional<Choice> atConsole = withUser(win32, console);
            if (atConsole.isPresent()) {
                return atConsole;
            }
        }
        for (Win32.Session session : win32.sessions().stream().sorted(Comparator.comparingInt(Win32.Session::id)).toList()) {
            if (session.active() && session.id() != 0 && session.id() != console) {
                Optional<Choice> remote = withUser(win32, session.id());
                if (remote.isPresent()) {
                    return remote;
                }
            }
        }
        return Optional.empty();
    }

    private static Optional<Choice> withUser(Win32 win32, int sessionId) {
        try {
            String user = win32.sessionUser(sessionId);
            return user == null || user.isBlank() ? Optional.empty() : Optional.of(new Choice(sessionId, user));
        } catch (Win32Exception e) {
            return Optional.empty(); // the session ended between listing and asking
        }
    }
}
