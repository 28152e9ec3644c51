package com.gururmm.server.release;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The edges of {@link ByteRange} that the HTTP test (testkit DownloadRangeTest) cannot reach cheaply. */
class ByteRangeTest {
    @Test
    void noHeaderIsTheWholeFile() {
        assertThat(ByteRange.of(null, 10)).isEqualTo(new ByteRange.Whole());
    }

    @Test
    void anEmptyFileHasNoSatisfiableRange() {
        assertThat(ByteRange.of("bytes=0-", 0)).isEqualTo(new ByteRange.Unsatisfiable());
        assertThat(ByteRange.of("bytes=-5", 0)).isEqualTo(new ByteRange.Unsatisfiable());
        assertThat(ByteRange.of("bytes=abc", 0)).isEqualTo(new ByteRange.Whole());
    }

    @Test
    void positionsAtTheLimitsOfALong() {
        long max = Long.MAX_VALUE;
        assertThat(ByteRange.of("bytes=" + (max - 1) + "-", max)).isEqualTo(new ByteRange.Part(max - 1, max - 1));
        assertThat(ByteRange.of("bytes=0-" + max, 10)).isEqualTo(new ByteRange.Part(0, 9));
        assertThat(ByteRange.of("bytes=0-" + "9".repeat(40), 10)).isEqualTo(new ByteRange.Part(0, 9));
        assertThat(ByteRange.of("bytes=" + "9".repeat(40) + "-", max)).isEqualTo(new ByteRange.Unsatisfiable());
        assertThat(ByteRange.of("bytes=-" + "9".repeat(40), 10)).isEqualTo(new ByteRange.Part(0, 9));
        assertThat(ByteRange.of("bytes=007-008", 10)).isEqualTo(new ByteRange.Part(7, 8));
    }

    @Test
    void partLengthCountsBothEnds() {
        assertThat(new ByteRange.Part(3, 3).length()).isEqualTo(1);
        assertThat(((ByteRange.Part) ByteRange.of("bytes=-3", 10)).length()).isEqualTo(3);
    }
}
