package com.gururmm.server.auth;

import java.util.Arrays;
import java.util.Optional;

/**
 * What a user may do. Roles are ordered: each includes everything the ones before it may do.
 * A viewer reads; a technician also runs and cancels commands; an admin also manages
 * enrollment, users, keys, releases and reads the audit log.
 */
public enum Role {
    VIEWER, TECHNICIAN, ADMIN;

    public String wireName() {
        return name().toLowerCase();
    }

    public boolean includes(Role other) {
        return compareTo(other) >= 0;
    }

    public static Optional<Role> parse(String value) {
        return Arrays.stream(values()).filter(r -> r.wireName().equals(value)).findFirst();
    }
}
