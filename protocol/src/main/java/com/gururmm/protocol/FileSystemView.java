package com.gururmm.protocol;

import java.util.Arrays;
import java.util.Optional;

/**
 * Which view of the file system a command's process has (SPEC section 7). A Linux agent runs
 * hardened, inside a mount namespace where {@code /} is read-only; its commands must still see
 * the host (so {@code apt}, {@code dnf} and writes to {@code /etc} work) unless they ask to stay
 * inside the sandbox.
 */
public enum FileSystemView {
    /** The host's mounts, as the machine's init sees them: the default. */
    HOST("host"),
    /** The agent's own restricted view: opted into per command. */
    SANDBOX("sandbox");

    private final String wireName;

    FileSystemView(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }

    public static Optional<FileSystemView> parse(String value) {
        return Arrays.stream(values()).filter(v -> v.wireName.equals(value)).findFirst();
    }
}
