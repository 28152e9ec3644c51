package com.gururmm.protocol.text;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.encoder.EncoderBase;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code GURURMM_LOG_FORMAT=json}: one JSON object per log line, for log shippers.
 *
 * <pre>{"ts":"2026-01-02T03:04:05.678Z","level":"INFO","logger":"com.gururmm...","thread":"...",
 * "message":"...","request_id":"...","agent_id":"...","command_id":"...","exception":"..."}</pre>
 *
 * The MDC's keys ({@code request_id}, {@code agent_id}, {@code command_id}) are top-level
 * fields, present on the lines they apply to; {@code exception} is the stack trace as one string.
 *
 * <p>Escaping keeps the plain format's guarantee (see {@link ControlChars}): besides what JSON
 * requires ({@code "}, {@code \}, C0 controls), every character {@link ControlChars#isUnsafe}
 * names (DEL, C1 controls, bidi overrides, U+2028/U+2029) and any unpaired surrogate is written as
 * a {@code \}{@code uXXXX} escape. So a line can never be split or re-ordered on a terminal, and
 * unlike the plain format nothing is lost: a JSON parser gets the original text back.
 */
public final class JsonLineEncoder extends EncoderBase<ILoggingEvent> {
    private static final byte[] NONE = new byte[0];

    @Override
    public byte[] headerBytes() {
        return NONE;
    }

    @Override
    public byte[] footerBytes() {
        return NONE;
    }

    @Override
    public byte[] encode(ILoggingEvent event) {
        StringBuilder out = new StringBuilder(256);
        out.append('{');
        field(out, "ts", Instant.ofEpochMilli(event.getTimeStamp()).toString(), false);
        field(out, "level", event.getLevel().toString(), true);
        field(out, "logger", event.getLoggerName(), true);
        field(out, "thread", event.getThreadName(), true);
        field(out, "message", event.getFormattedMessage(), true);
        Map<String, String> mdc;
        try {
            mdc = event.getMDCPropertyMap();
        } catch (RuntimeException noMdcAdapter) {
            mdc = null; // an event built outside a started logger context; a log line must never fail
        }
        if (mdc != null && !mdc.isEmpty()) {
            for (Map.Entry<String, String> e : new TreeMap<>(mdc).entrySet()) {
                if (e.getKey() != null && e.getValue() != null && !isReserved(e.getKey())) {
                    field(out, e.getKey(), e.getValue(), true);
                }
            }
        }
        IThrowableProxy throwable = event.getThrowableProxy();
        if (throwable != null) {
            field(out, "exception", ThrowableProxyUtil.asString(throwable), true);
        }
        out.append("}\n");
        return out.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static boolean isReserved(String key) {
        return switch (key) {
            case "ts", "level", "logger", "thread", "message", "exception" -> true;
            default -> false;
        };
    }

    private static void field(StringBuilder out, String name, String value, boolean comma) {
        if (comma) {
            out.append(',');
        }
        quote(out, name);
        out.append(':');
        if (value == null) {
            out.append("null");
        } else {
            quote(out, value);
        }
    }

    /** Appends {@code text} as a JSON string literal that is safe to show on a terminal. */
    static void quote(StringBuilder out, String text) {
        out.append('"');
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (ControlChars.isUnsafe(c) || unpairedSurrogate(text, i)) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                        if (Character.isHighSurrogate(c)) {
                            out.append(text.charAt(++i)); // its low half: a valid pair
                        }
                    }
                }
            }
        }
        out.append('"');
    }

    private static boolean unpairedSurrogate(String text, int i) {
        char c = text.charAt(i);
        if (Character.isHighSurrogate(c)) {
            return i + 1 >= text.length() || !Character.isLowSurrogate(text.charAt(i + 1));
        }
        return Character.isLowSurrogate(c);
    }

    /** For tests and callers outside logback: {@code text} as a JSON string literal. */
    public static String quoted(String text) {
        StringBuilder out = new StringBuilder(text.length() + 2);
        quote(out, text);
        return out.toString();
    }
}
