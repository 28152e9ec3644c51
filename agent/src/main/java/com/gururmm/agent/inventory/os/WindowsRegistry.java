package com.gururmm.agent.inventory.os;

import java.util.List;
import java.util.Map;

/**
 * The few registry reads the Windows inventory needs, behind an interface so the mapping is
 * unit-tested with a fake on Linux ({@link JnaRegistry} is the real one; it cannot run here).
 */
public interface WindowsRegistry {
    enum Hive { HKLM, HKCU }

    /** Which registry view of HKLM: the native 64-bit one, or the 32-bit (WOW6432Node) one. */
    enum View { NATIVE, WOW64_64, WOW64_32 }

    /** Names of the sub-keys of {@code path}; empty when the key does not exist. */
    List<String> subKeys(Hive hive, String path, View view);

    /** Values of {@code path} (String, Integer, Long, String[] or byte[]); empty when the key does not exist. */
    Map<String, Object> values(Hive hive, String path, View view);

    boolean keyExists(Hive hive, String path, View view);
}
