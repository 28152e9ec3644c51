package com.gururmm.protocol.text;

import ch.qos.logback.classic.pattern.MessageConverter;
import ch.qos.logback.classic.spi.ILoggingEvent;

/**
 * {@code %safeMsg} in logback.xml: the message with its control characters escaped, so a
 * hostname, email or path with CR/LF cannot forge log lines and ESC sequences cannot reach
 * the terminal of whoever tails the log. Messages quote what clients sent, so this is done
 * once here, in the pattern, instead of at every log call.
 */
public final class SafeMessage extends MessageConverter {
    @Override
    public String convert(ILoggingEvent event) {
        return ControlChars.escape(super.convert(event));
    }
}
