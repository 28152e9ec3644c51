package com.gururmm.server.command;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;

class OutputTextTest {
    @Test
    void escapingRoundTripsAnyTextAndLeavesNoNul() {
        Random random = new Random(42);
        char[] alphabet = {'\0', '\\', '0', 'a', '\n', 'é', '\u0001'};
        for (int n = 0; n < 2000; n++) {
            StringBuilder text = new StringBuilder();
            for (int i = random.nextInt(12); i > 0; i--) {
                text.append(alphabet[random.nextInt(alphabet.length)]);
            }
            String original = text.toString();
            String stored = OutputText.escape(original);
            assertThat(stored).doesNotContain("\0");
            assertThat(OutputText.stored(stored, true)).isEqualTo(original);
        }
        assertThat(OutputText.escape("a\0b\\0")).isEqualTo("a\\0b\\\\0");
        assertThat(OutputText.stored("x\\0y", false)).as("rows stored verbatim stay verbatim").isEqualTo("x\\0y");
        assertThat(OutputText.needsEscaping("plain", null)).isFalse();
        assertThat(OutputText.needsEscaping(null, "a\0")).isTrue();
    }
}
