package com.gururmm.agent.events;

import java.io.IOException;

/**
 * Where crash events come from: on Windows the System event log ({@link WevtutilEventLog}); in
 * tests, recorded event XML. Returns the matching events as Windows renders them with
 * {@code /f:xml}: a sequence of {@code <Event>} elements (no root element), newest first.
 */
@FunctionalInterface
public interface EventLogSource {
    String queryXml() throws IOException, InterruptedException;
}
