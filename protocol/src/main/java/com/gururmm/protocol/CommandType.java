package com.gururmm.protocol;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/** The script interpreters a command can name (SPEC section 3). */
public enum CommandType {
    POWERSHELL, BASH, SH, CMD, PYTHON;

    /** The wire spelling: lower case. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<CommandType> parse(String value) {
        if (value == null) {
            return Optional.empty();
        }
        return Arrays.stream(values()).filter(t -> t.wireName().equals(value)).findFirst();
    }

    public static String allowedValues() {
        return Arrays.stream(values()).map(CommandType::wireName).collect(Collectors.joining(", "));
    }
}
