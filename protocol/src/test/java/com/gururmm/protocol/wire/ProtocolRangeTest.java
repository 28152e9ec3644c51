package com.gururmm.protocol.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class ProtocolRangeTest {
    @Test
    void theBuildSpeaksItsOwnVersionAndNothingNewer() {
        assertThat(Wire.SUPPORTED.min()).isEqualTo(Wire.MIN_SUPPORTED_PROTOCOL).isLessThanOrEqualTo(Wire.PROTOCOL_VERSION);
        assertThat(Wire.SUPPORTED.max()).isEqualTo(Wire.PROTOCOL_VERSION);
        assertThat(Wire.SUPPORTED.choose(Wire.PROTOCOL_VERSION)).hasValue(Wire.PROTOCOL_VERSION);
    }

    @Test
    void theLowerOfBothNewestVersionsIsChosenWhileInRange() {
        ProtocolRange range = new ProtocolRange(2, 4);
        assertThat(range.choose(3)).hasValue(3); // an older peer: its version
        assertThat(range.choose(4)).hasValue(4);
        assertThat(range.choose(7)).hasValue(4); // a newer peer: ours, if it still speaks it
        assertThat(range.choose(1)).isEqualTo(OptionalInt.empty());
        assertThat(range.tooOld(1)).isTrue();
        assertThat(range.tooOld(2)).isFalse();
        assertThat(range.tooNew(4)).isFalse();
        assertThat(range.tooNew(5)).isTrue();
        assertThat(range).hasToString("2 to 4");
        assertThat(new ProtocolRange(1, 1)).hasToString("1");
    }

    @Test
    void parsesMinCommaMaxAndRefusesNonsense() {
        assertThat(ProtocolRange.parse("0, 1")).isEqualTo(new ProtocolRange(0, 1));
        assertThat(ProtocolRange.parse("3")).isEqualTo(new ProtocolRange(3, 3));
        assertThatThrownBy(() -> ProtocolRange.parse("2,1")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ProtocolRange.parse("-1,1")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ProtocolRange.parse("one")).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("min,max");
        assertThatThrownBy(() -> ProtocolRange.parse("1,2,3")).isInstanceOf(IllegalArgumentException.class);
    }
}
