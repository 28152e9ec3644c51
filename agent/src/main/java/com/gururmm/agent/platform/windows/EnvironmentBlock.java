package com.gururmm.agent.platform.windows;

import java.util.Map;
import java.util.TreeMap;

/**
 * The Unicode environment block {@code CreateProcessAsUser} takes: {@code name=value} strings,
 * each ending in NUL, the block ending in one more NUL.
 *
 * <p>Names are case-insensitive on Windows ({@code Path} and {@code PATH} are one variable), and
 * CreateProcess expects the block sorted by name case-insensitively; a case-insensitive
 * {@link TreeMap} gives both. Entries whose name starts with {@code =} (cmd's per-drive current
 * directories such as {@code =C:=C:\}) are kept: their name runs to the second {@code =}.
 */
final class EnvironmentBlock {
    private EnvironmentBlock() {
    }

    /** Parses the text of a block (NUL-separated; a missing final NUL is tolerated). */
    static Map<String, String> parse(String block) {
        Map<String, String> env = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        for (String entry : block.split("\0")) {
            int eq = entry.indexOf('=', 1);
            if (eq > 0) {
                env.put(entry.substring(0, eq), entry.substring(eq + 1));
            }
        }
        return env;
    }

    /** The user's own environment with the agent's additions on top. */
    static Map<String, String> merge(String userBlock, Map<String, String> additions) {
        Map<String, String> env = parse(userBlock);
        env.putAll(additions);
        return env;
    }

    static String encode(Map<String, String> env) {
        Map<String, String> sorted = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        sorted.putAll(env);
        StringBuilder block = new StringBuilder();
        sorted.forEach((name, value) -> {
            if (name.isEmpty() || name.indexOf('=', 1) >= 0 || name.indexOf('\0') >= 0 || value.indexOf('\0') >= 0) {
                throw new IllegalArgumentException("environment variable cannot be passed to Windows: " + name);
            }
            block.append(name).append('=').append(value).append('\0');
        });
        if (sorted.isEmpty()) {
            block.append('\0'); // an empty block is two NULs
        }
        return block.append('\0').toString();
    }
}
