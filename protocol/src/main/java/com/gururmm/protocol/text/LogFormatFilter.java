package com.gururmm.protocol.text;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.filter.Filter;
import ch.qos.logback.core.spi.FilterReply;

/**
 * Lets an appender write only when it is the one {@code GURURMM_LOG_FORMAT} selects: logback.xml
 * declares a {@code plain} and a {@code json} console appender, both attached to the root, each
 * with this filter ({@code <format>} its own name, {@code <selected>} the variable). Selecting
 * by {@code appender-ref ref="${...}"} instead leaves one appender unreferenced, and logback then
 * prints its configuration notes on stdout, which breaks one-JSON-object-per-line.
 */
public final class LogFormatFilter extends Filter<ILoggingEvent> {
    private String format = "plain";
    private String selected = "plain";
    private boolean writes = true;

    public void setFormat(String format) {
        this.format = format;
    }

    public void setSelected(String selected) {
        this.selected = selected;
    }

    @Override
    public void start() {
        String chosen = selected == null || selected.isBlank() ? "plain" : selected.trim();
        // An unknown value writes plain lines rather than nothing (the server refuses to start on it anyway).
        if (!chosen.equals("plain") && !chosen.equals("json")) {
            chosen = "plain";
        }
        writes = chosen.equals(format);
        super.start();
    }

    @Override
    public FilterReply decide(ILoggingEvent event) {
        return writes ? FilterReply.NEUTRAL : FilterReply.DENY;
    }
}
