package com.gururmm.protocol.text;

import ch.qos.logback.classic.pattern.ThrowableProxyConverter;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.StackTraceElementProxy;
import java.util.Arrays;

/**
 * {@code %safeEx} in logback.xml: the stack trace as {@code %ex} prints it, one frame a line,
 * but with every exception message escaped, since messages often quote client input
 * ({@link SafeMessage} does the same for the log message). Being a throwable converter, it also
 * stops logback from appending its own raw {@code %ex}.
 */
public final class SafeThrowable extends ThrowableProxyConverter {
    @Override
    protected String throwableProxyToString(IThrowableProxy tp) {
        return super.throwableProxyToString(Escaped.of(tp));
    }

    /** The same throwable, its messages (and those of its causes and suppressed ones) escaped. */
    private record Escaped(IThrowableProxy raw) implements IThrowableProxy {
        static IThrowableProxy of(IThrowableProxy tp) {
            return tp == null ? null : new Escaped(tp);
        }

        @Override
        public String getMessage() {
            return ControlChars.escape(raw.getMessage());
        }

        @Override
        public String getOverridingMessage() {
            return ControlChars.escape(raw.getOverridingMessage());
        }

        @Override
        public String getClassName() {
            return raw.getClassName();
        }

        @Override
        public StackTraceElementProxy[] getStackTraceElementProxyArray() {
            return raw.getStackTraceElementProxyArray();
        }

        @Override
        public int getCommonFrames() {
            return raw.getCommonFrames();
        }

        @Override
        public IThrowableProxy getCause() {
            return of(raw.getCause());
        }

        @Override
        public IThrowableProxy[] getSuppressed() {
            IThrowableProxy[] suppressed = raw.getSuppressed();
            return suppressed == null ? null : Arrays.stream(suppressed).map(Escaped::of).toArray(IThrowableProxy[]::new);
        }

        @Override
        public boolean isCyclic() {
            return raw.isCyclic();
        }
    }
}
