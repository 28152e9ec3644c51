package com.gururmm.cli.output;

import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.io.CharacterEscapes;
import com.fasterxml.jackson.core.io.SerializedString;
import com.gururmm.protocol.text.ControlChars;

/**
 * JSON output that is also safe on a terminal. Jackson already writes C0 controls as
 * <code>&#92;u001b</code> etc.; this adds DEL, the C1 controls (U+0080-U+009F, which some terminals
 * take as CSI) and the bidi overrides, written as <code>&#92;uXXXX</code> like Jackson's own. The JSON still parses to
 * exactly the same strings, so scripts see the server's values unchanged.
 */
final class JsonEscapes extends CharacterEscapes {
    private static final long serialVersionUID = 1L;
    private final int[] ascii;

    JsonEscapes() {
        ascii = standardAsciiEscapesForJSON();
        ascii[0x7f] = ESCAPE_STANDARD;
    }

    @Override
    public int[] getEscapeCodesForAscii() {
        return ascii;
    }

    @Override
    public SerializableString getEscapeSequence(int ch) {
        return ControlChars.isUnsafe(ch) ? new SerializedString(String.format("\\u%04X", ch)) : null;
    }
}
