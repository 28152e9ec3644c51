package com.gururmm.protocol.wire;

import java.time.Instant;
import java.util.Map;

/**
 * Something that happened on the agent's machine and is reported once, as an event rather than
 * a sample: e.g. a Windows bugcheck (blue screen) found in the System event log.
 *
 * @param kind       what happened, lower-case words: {@code bugcheck}, {@code unexpected_shutdown}
 * @param severity   {@code info}, {@code warning} or {@code critical}
 * @param summary    one line for people, e.g. {@code Bugcheck 0x0000009f (DRIVER_POWER_STATE_FAILURE)}
 * @param eventKey   stable id of this occurrence on this machine; the server stores an agent's key once,
 *                   so a report sent twice (a lost acknowledgement, a reconnect) is not a second event
 * @param occurredAt when it happened by the machine's clock
 * @param details    kind-specific facts as text, e.g. {@code code}, {@code parameters}, {@code dump_path}
 */
public record AgentEvent(String kind, String severity, String summary, String eventKey, Instant occurredAt,
                         Map<String, String> details) {
    public static final String BUGCHECK = "bugcheck";
    public static final String UNEXPECTED_SHUTDOWN = "unexpected_shutdown";
}
