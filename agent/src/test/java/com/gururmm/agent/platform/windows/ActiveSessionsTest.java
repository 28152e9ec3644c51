package com.gururmm.agent.platform.windows;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ActiveSessionsTest {
    private final FakeWin32 win32 = new FakeWin32();

    @Test
    void theConsoleUserWinsOverRemoteDesktopSessions() throws Exception {
        win32.user(2, "CORP\\rdpuser", true).user(1, "PC\\alice", true);
        win32.console = 1;
        assertThat(ActiveSessions.find(win32)).contains(new ActiveSessions.Choice(1, "PC\\alice"));
    }

    @Test
    void aConsoleAtTheSignInScreenFallsBackToTheLowestActiveRemoteSession() throws Exception {
        win32.console = 1;
        win32.sessions.add(new Win32.Session(1, true)); // sign-in screen: no user
        win32.user(5, "CORP\\later", true).user(3, "CORP\\first", true).user(2, "CORP\\gone", false);
        assertThat(ActiveSessions.find(win32)).contains(new ActiveSessions.Choice(3, "CORP\\first"));
    }

    @Test
    void noConsoleSessionAtAllStillFindsRemoteDesktop() throws Exception {
        win32.user(2, "CORP\\bob", true);
        assertThat(ActiveSessions.find(win32)).contains(new ActiveSessions.Choice(2, "CORP\\bob"));
    }

    @Test
    void nobodyLoggedOnMeansNoChoice() throws Exception {
        win32.console = 1;
        win32.sessions.add(new Win32.Session(0, false));
        win32.sessions.add(new Win32.Session(1, true));
        win32.user(4, "CORP\\disconnected", false);
        assertThat(ActiveSessions.find(win32)).isEmpty();
    }

    @Test
    void sessionZeroIsNeverChosenEvenIfItLooksActive() throws Exception {
        win32.console = 0;
        win32.user(0, "NT AUTHORITY\\SYSTEM", true);
        assertThat(ActiveSessions.find(win32)).isEmpty();
    }

    @Test
    void aSessionThatVanishesWhileBeingInspectedIsSkipped() throws Exception {
        win32.console = 7; // reported by the console API, gone from the session list
        win32.user(3, "CORP\\carol", true);
        win32.sessions.add(new Win32.Session(9, true));
        assertThat(ActiveSessions.find(win32)).contains(new ActiveSessions.Choice(3, "CORP\\carol"));
    }
}
