package com.gururmm.protocol.text;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ControlCharsTest {
    @Test
    void escapesEscOscBelLineBreaksC1AndBidiVisibly() {
        assertThat(ControlChars.escape("a\u001b[31mred\u001b]0;title\u0007b")).isEqualTo("a\\x1b[31mred\\x1b]0;title\\x07b");
        assertThat(ControlChars.escape("one\ntwo\r\tthree\u0000\u007f")).isEqualTo("one\\ntwo\\r\\tthree\\x00\\x7f");
        assertThat(ControlChars.escape("c1\u009b2J\u0085")).isEqualTo("c1\\u009b2J\\u0085");
        assertThat(ControlChars.escape("evil\u202egpj.exe\u2066x\u2069\u202a\u202d")).isEqualTo("evil\\u202egpj.exe\\u2066x\\u2069\\u202a\\u202d");
        assertThat(ControlChars.escape("line\u2028sep")).isEqualTo("line\\u2028sep");
    }

    @Test
    void leavesOrdinaryTextBackslashesAndNonLatinAloneAndIsIdempotent() {
        String plain = "web01 CORP\\alice C:\\Users ünïcödé 日本 😀";
        assertThat(ControlChars.escape(plain)).isSameAs(plain);
        String once = ControlChars.escape("x\u001by\nz\u202e");
        assertThat(ControlChars.escape(once)).isEqualTo(once);
        assertThat(ControlChars.escape(null)).isNull();
    }

    @Test
    void multiLineOutputKeepsLinesTabsAndCrLfButNotALoneCr() {
        assertThat(ControlChars.escapeKeepingLines("a\tb\nc\r\nd\re\u001b[2J")).isEqualTo("a\tb\nc\r\nd\\re\\x1b[2J");
        assertThat(ControlChars.escapeKeepingLines("end\r")).isEqualTo("end\\r");
    }
}
