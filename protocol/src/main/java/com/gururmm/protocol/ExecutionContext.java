package com.gururmm.protocol;

import java.util.Arrays;
import java.util.Optional;

/** Whose identity a command runs under (SPEC section 4). */
public enum ExecutionContext {
    /** LocalSystem on Windows, root on Linux and macOS. */
    SYSTEM("system"),
    /** The active logged-on user's desktop session. */
    USER_SESSION("user_session");

    private final String wireName;

    ExecutionContext(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }

    public static Optional<ExecutionContext> parse(String value) {
        return Arrays.stream(values()).filter(c -> c.wireName.equals(value)).findFirst();
    }
}
