package com.gururmm.agent.events;

import java.util.Map;
import java.util.Optional;

/**
 * Symbolic names of the bugcheck codes technicians meet most often (Microsoft's "Bug check
 * code reference"), so a summary says DRIVER_POWER_STATE_FAILURE rather than only 0x0000009f.
 * A code not listed is reported by number alone.
 */
final class BugcheckNames {
    private static final Map<String, String> NAMES = Map.ofEntries(
            Map.entry("0x0000000a", "IRQL_NOT_LESS_OR_EQUAL"),
            Map.entry("0x0000001a", "MEMORY_MANAGEMENT"),
            Map.entry("0x0000001e", "KMODE_EXCEPTION_NOT_HANDLED"),
            Map.entry("0x00000024", "NTFS_FILE_SYSTEM"),
            Map.entry("0x0000003b", "SYSTEM_SERVICE_EXCEPTION"),
            Map.entry("0x00000050", "PAGE_FAULT_IN_NONPAGED_AREA"),
            Map.entry("0x0000007a", "KERNEL_DATA_INPAGE_ERROR"),
            Map.entry("0x0000007b", "INACCESSIBLE_BOOT_DEVICE"),
            Map.entry("0x0000007e", "SYSTEM_THREAD_EXCEPTION_NOT_HANDLED"),
            Map.entry("0x0000007f", "UNEXPECTED_KERNEL_MODE_TRAP"),
            Map.entry("0x0000009f", "DRIVER_POWER_STATE_FAILURE"),
            Map.entry("0x000000c2", "BAD_POOL_CALLER"),
            Map.entry("0x000000c5", "DRIVER_CORRUPTED_EXPOOL"),
            Map.entry("0x000000d1", "DRIVER_IRQL_NOT_LESS_OR_EQUAL"),
            Map.entry("0x000000e2", "MANUALLY_INITIATED_CRASH"),
            Map.entry("0x000000ef", "CRITICAL_PROCESS_DIED"),
            Map.entry("0x000000f4", "CRITICAL_OBJECT_TERMINATION"),
            Map.entry("0x00000101", "CLOCK_WATCHDOG_TIMEOUT"),
            Map.entry("0x00000116", "VIDEO_TDR_FAILURE"),
            Map.entry("0x00000124", "WHEA_UNCORRECTABLE_ERROR"),
            Map.entry("0x00000133", "DPC_WATCHDOG_VIOLATION"),
            Map.entry("0x00000139", "KERNEL_SECURITY_CHECK_FAILURE"),
            Map.entry("0x0000013a", "KERNEL_MODE_HEAP_CORRUPTION"),
            Map.entry("0x00000154", "UNEXPECTED_STORE_EXCEPTION"),
            Map.entry("0x000001a5", "USB_DRIVER_INTERNAL_ERROR"));

    private BugcheckNames() {
    }

    static Optional<String> name(String code) {
        return Optional.ofNullable(NAMES.get(code));
    }
}
