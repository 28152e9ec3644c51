package com.gururmm.protocol.wire;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
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
 * @param details    kind-specific facts as named text, e.g. {@code code}, {@code parameters}, {@code dump_path}
 *                   (a list of records rather than a JSON map, so a newer peer's extra fields in it are ignored
 *                   like everywhere else in the protocol)
 */
public record AgentEvent(String kind, String severity, String summary, String eventKey, Instant occurredAt,
                         List<Detail> details) {
    public static final String BUGCHECK = "bugcheck";
    public static final String UNEXPECTED_SHUTDOWN = "unexpected_shutdown";

    /** One named fact about the event. */
    public record Detail(String name, String value) {
    }

    /** The details as a map in their order (a name given twice keeps its first value). */
    public Map<String, String> detailMap() {
        Map<String, String> out = new LinkedHashMap<>();
        if (details != null) {
            for (Detail d : details) {
                if (d != null && d.name() != null) {
                    out.putIfAbsent(d.name(), d.value());
                }
            }
        }
        return out;
    }

    /** Details from a map, in its iteration order. */
    public static List<Detail> details(Map<String, String> map) {
        List<Detail> out = new ArrayList<>();
        map.forEach((name, value) -> out.add(new Detail(name, value)));
        return List.copyOf(out);
    }
}
