package com.gururmm.cli.commands;

import com.gururmm.cli.ExitCode;
import com.gururmm.cli.Terminal;
import com.gururmm.cli.config.Session;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** Forgets the saved session for a server. */
@Command(name = "logout", mixinStandardHelpOptions = true,
        description = "Forget the saved login for the server (default: the current one).")
public final class LogoutCommand implements Callable<Integer> {
    private final Terminal terminal;

    @Mixin
    private Session session;

    LogoutCommand(Terminal terminal) {
        this.terminal = terminal;
    }

    @Override
    public Integer call() {
        String url = session.serverUrl();
        boolean removed = session.store().remove(url);
        terminal.out().println(removed ? "Logged out of " + url + "." : "Was not logged in to " + url + ".");
        return ExitCode.OK;
    }
}
