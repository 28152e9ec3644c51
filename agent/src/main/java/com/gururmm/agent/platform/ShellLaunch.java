package com.gururmm.agent.platform;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * How to start an interactive login shell on a pseudo-terminal (the tunnel): the argv, its
 * complete environment (nothing else is inherited), its working directory, and whether the
 * PTY is a Windows pseudo console (ConPTY) rather than a Unix pty.
 */
public record ShellLaunch(List<String> argv, Map<String, String> environment, Path workDir, boolean conPty) {
    public ShellLaunch {
        argv = List.copyOf(argv);
        environment = Map.copyOf(environment);
    }
}
