package com.gururmm.agent.platform.windows;

import com.gururmm.agent.platform.CommandRefusedException;
import com.gururmm.agent.platform.Launch;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Windows {@code user_session}: picks the session ({@link ActiveSessions}), refuses with
 * "No logged-on user: ..." when there is none, lets that user read the script
 * ({@link ScriptAccess}), and returns a launch whose starter creates the process as that user
 * ({@link UserSessionStarter}). The token is only taken when the process is started, so
 * nothing is held between deciding and starting.
 *
 * <p>The Win32 side ({@link JnaWin32}) cannot run on the Linux machines this project is built
 * and tested on; everything here is tested against a fake {@link Win32}.
 */
public final class UserSessionLauncher {
    private final Win32 win32;
    private final ScriptAccess access;

    public UserSessionLauncher(Win32 win32, ScriptAccess access) {
        this.win32 = win32;
        this.access = access;
    }

    /** The real launcher; only usable on Windows. */
    public static UserSessionLauncher windows() {
        return new UserSessionLauncher(new JnaWin32(), ScriptAccess.acls());
    }

    public Launch launch(List<String> argv, Path script) throws CommandRefusedException {
        ActiveSessions.Choice session;
        try {
            session = ActiveSessions.find(win32).orElseThrow(() -> new CommandRefusedException(
                    "No logged-on user: user_session needs a user signed in at the console or over Remote Desktop, "
                            + "and no active session on this Windows machine has one."));
        } catch (Win32Exception e) {
            throw new CommandRefusedException("The agent could not list the Windows sessions to find the logged-on user: " + e.getMessage());
        }
        try {
            access.grantRead(script.getParent(), script, session.user());
        } catch (IOException e) {
            throw new CommandRefusedException("The agent could not let " + session.user() + " read the script: " + e.getMessage());
        }
        return new Launch(argv, Map.of(), null, new UserSessionStarter(win32, session, argv));
    }
}
