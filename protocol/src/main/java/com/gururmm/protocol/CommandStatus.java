package com.gururmm.protocol;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/**
 * Life cycle of a command (SPEC section 3). {@code QUEUED} and {@code RUNNING} are the only
 * non-terminal states; the server guarantees every command leaves them.
 */
public enum CommandStatus {
    QUEUED, RUNNING, COMPLETED, FAILED, TIMEOUT, CANCELLED;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public boolean isTerminal() {
        return this != QUEUED && this != RUNNING;
    }

    public static Optional<CommandStatus> parse(String value) {
        return Arrays.stream(values()).filter(s -> s.wireName().equals(value)).findFirst();
    }
}
