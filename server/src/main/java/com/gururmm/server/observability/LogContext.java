package com.gururmm.server.observability;

import java.util.UUID;
import org.slf4j.MDC;

/**
 * The MDC keys every log line carries while they apply (docs/OPERATIONS.md, "Server metrics and
 * logs"): {@code request_id} for the HTTP request being handled, {@code agent_id} while an
 * agent's connection or frames are handled, {@code command_id} while a command is submitted,
 * dispatched or its result stored. The plain log format ignores them; {@code GURURMM_LOG_FORMAT=json}
 * writes them as fields of each line.
 *
 * <p>Use with try-with-resources, so a key never outlives the work it describes on a pooled or
 * virtual thread: {@code try (var ignored = LogContext.agent(id)) { ... }}.
 */
public final class LogContext {
    public static final String REQUEST_ID = "request_id";
    public static final String AGENT_ID = "agent_id";
    public static final String COMMAND_ID = "command_id";

    private LogContext() {
    }

    /** Sets {@code agent_id} until closed (restoring what was there, so nested scopes are safe). */
    public static Scope agent(UUID agentId) {
        return put(AGENT_ID, agentId == null ? null : agentId.toString());
    }

    public static Scope command(UUID commandId) {
        return put(COMMAND_ID, commandId == null ? null : commandId.toString());
    }

    static Scope put(String key, String value) {
        String previous = MDC.get(key);
        if (value == null) {
            MDC.remove(key);
        } else {
            MDC.put(key, value);
        }
        return () -> {
            if (previous == null) {
                MDC.remove(key);
            } else {
                MDC.put(key, previous);
            }
        };
    }

    /** An MDC scope; closing it never throws. */
    @FunctionalInterface
    public interface Scope extends AutoCloseable {
        @Override
        void close();
    }
}
