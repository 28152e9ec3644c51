package com.gururmm.agent.platform.windows;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.jna.Native;
import org.junit.jupiter.api.Test;

class Win32NativesTest {
    /**
     * SetInformationJobObject fails with ERROR_BAD_LENGTH unless the structure has exactly the
     * native size: 144 bytes on x64 (LARGE_INTEGERs, DWORDs and SIZE_Ts, aligned the same on
     * Linux and Windows x64, so this can be checked here).
     */
    @Test
    void jobLimitStructureHasTheNativeX64Size() {
        assumeTrue(Native.POINTER_SIZE == 8, "64-bit JVM only");
        assertThat(new Win32Natives.JOBOBJECT_BASIC_LIMIT_INFORMATION().size()).isEqualTo(64);
        assertThat(new Win32Natives.JOBOBJECT_EXTENDED_LIMIT_INFORMATION().size()).isEqualTo(144);
    }
}
