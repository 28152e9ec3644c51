package com.gururmm.protocol;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/**
 * Life cycle of a command (SPEC section 3). {@code QUEUED}, {@code HELD} and {@code RUNNING} are
 * the non-terminal states; the server guarantees every command leaves queued and running.
 * {@code HELD} is a command queued for a machine that has since enrolled again under a new
 * identity: it is delivered to nobody until an admin releases it (back to queued) or discards
 * it (cancelled), so it waits for that decision instead of expiring unseen.
 */
public enum CommandStatus {
    QUEUED, HELD, RUNNING, COMPLETED, FAILED, TIMEOUT, CANCELLED;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public boolean isTerminal() {
        return this != QUEUED && this != HELD && this != RUNNING;
    }

    /** {@code queued, held, running, ...} for error messages. */
    public static String allowedValues() {
        return String.join(", ", Arrays.stream(values()).map(CommandStatus::wireName).toList());
    }

    public static Optional<CommandStatus> parse(String value) {
        return Arrays.stream(values()).filter(s -> s.wireName().equals(value)).findFirst();
    }
}
