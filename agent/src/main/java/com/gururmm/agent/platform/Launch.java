package com.gururmm.agent.platform;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * How to start one command: the argv, extra environment, and who should own the script
 * file (null = the agent's own user).
 */
public record Launch(List<String> argv, Map<String, String> environment, SessionUser runAs) {
    public Launch {
        argv = List.copyOf(argv);
        environment = Map.copyOf(environment);
    }

    /** A user that a {@code user_session} command runs as. */
    public record SessionUser(String name, int uid, int gid, Path home) {
    }
}
