package com.gururmm.agent.inventory.os;

import com.sun.jna.platform.win32.Advapi32Util;
import com.sun.jna.platform.win32.Win32Exception;
import com.sun.jna.platform.win32.WinNT;
import com.sun.jna.platform.win32.WinReg;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/** {@link WindowsRegistry} through JNA's {@link Advapi32Util}. Windows only; not run on the Linux build machines. */
final class JnaRegistry implements WindowsRegistry {
    private static WinReg.HKEY root(Hive hive) {
        return hive == Hive.HKLM ? WinReg.HKEY_LOCAL_MACHINE : WinReg.HKEY_CURRENT_USER;
    }

    private static int sam(View view) {
        return switch (view) {
            case NATIVE -> 0;
            case WOW64_64 -> WinNT.KEY_WOW64_64KEY;
            case WOW64_32 -> WinNT.KEY_WOW64_32KEY;
        };
    }

    @Override
    public List<String> subKeys(Hive hive, String path, View view) {
        try {
            return Arrays.asList(Advapi32Util.registryGetKeys(root(hive), path, sam(view)));
        } catch (Win32Exception e) {
            return List.of();
        }
    }

    @Override
    public Map<String, Object> values(Hive hive, String path, View view) {
        try {
            return Advapi32Util.registryGetValues(root(hive), path, sam(view));
        } catch (Win32Exception e) {
            return Map.of();
        }
    }

    @Override
    public boolean keyExists(Hive hive, String path, View view) {
        try {
            return Advapi32Util.registryKeyExists(root(hive), path, sam(view));
        } catch (Win32Exception e) {
            return false;
        }
    }
}
