package com.gururmm.server.inventory;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Pairs checked against {@code dpkg --compare-versions} on Debian 12 (lower, higher). */
@Timeout(10)
class VersionOrderTest {
    @ParameterizedTest(name = "{0} < {1}")
    @CsvSource({
            "1.2.9, 1.2.10",
            "1.0~rc1, 1.0",
            "1.0~~, 1.0~",
            "1.0, 1.0a",
            "1.0, 1.0.1",
            "1.0, 1.0+deb12u1",
            "3.0.11-1~deb12u2, 3.0.13-1~deb12u1",
            "5.2.15-2+b8, 5.2.15-2+b13",
            "9:1.0, 10:0.1",
            "1:9.9, 2:1.0",
            "1.0-1, 1.0-2",
            "1.0-9, 1.0-10",
            "0.9, 1:0.1",
            "5.14.0-362.8.1.el9_3, 5.14.0-427.13.1.el9_4",
            "23.01, 24.07",
            "8.6.2, 8.6.10",
            "2024a-1.el9, 2024b-1.el9",
            "1.2, 1.2.0.1",
    })
    void lowerSortsFirst(String lower, String higher) {
        assertThat(VersionOrder.INSTANCE.compare(lower, higher)).isNegative();
        assertThat(VersionOrder.INSTANCE.compare(higher, lower)).isPositive();
    }

    @ParameterizedTest(name = "{0} = {1}")
    @CsvSource({"1.010, 1.10", "0:1.0, 1.0", "1.0-0, 1.0", "1.0, 1.0"})
    void equalVersions(String a, String b) {
        assertThat(VersionOrder.INSTANCE.compare(a, b)).isZero();
    }

    @Test
    void sortsAMixedListTotally() {
        List<String> versions = new ArrayList<>(List.of("1.0", "1.0~rc2", "1:0.5", "0.9.9", "1.0~rc10", "1.0-1", "1.0.1"));
        versions.sort(VersionOrder.INSTANCE);
        assertThat(versions).containsExactly("0.9.9", "1.0~rc2", "1.0~rc10", "1.0", "1.0-1", "1.0.1", "1:0.5");
    }

    @Test
    void garbageDoesNotThrow() {
        assertThat(VersionOrder.INSTANCE.compare("", "1")).isNegative();
        assertThat(VersionOrder.INSTANCE.compare(null, "")).isZero();
        assertThat(VersionOrder.INSTANCE.compare("abc:def", "abc:deg")).isNegative();
        assertThat(VersionOrder.INSTANCE.compare("99999999999999999999999", "1")).isPositive();
    }
}
