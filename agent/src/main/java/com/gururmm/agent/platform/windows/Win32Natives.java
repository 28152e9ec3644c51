package com.gururmm.agent.platform.windows;

import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.Structure;
import com.sun.jna.platform.win32.BaseTSD;
import com.sun.jna.platform.win32.WinBase;
import com.sun.jna.platform.win32.WinNT;
import com.sun.jna.ptr.IntByReference;
import com.sun.jna.ptr.PointerByReference;
import com.sun.jna.win32.StdCallLibrary;
import com.sun.jna.win32.W32APIOptions;

/**
 * The Win32 functions jna-platform 5.19.1 does not declare (or declares with a type that
 * cannot carry what we pass, such as an environment block with embedded NULs as a String).
 * Loaded lazily, on first use, so nothing here is touched on Linux or macOS.
 */
final class Win32Natives {
    static final int JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE = 0x2000;
    /** {@code JobObjectExtendedLimitInformation} in {@code JOBOBJECTINFOCLASS}. */
    static final int JOB_OBJECT_EXTENDED_LIMIT_INFORMATION_CLASS = 9;

    private Win32Natives() {
    }

    interface Kernel32X extends StdCallLibrary {
        Kernel32X INSTANCE = Native.load("kernel32", Kernel32X.class, W32APIOptions.DEFAULT_OPTIONS);

        int WTSGetActiveConsoleSessionId();

        WinNT.HANDLE CreateJobObject(WinBase.SECURITY_ATTRIBUTES attributes, String name);

        boolean SetInformationJobObject(WinNT.HANDLE job, int infoClass, Pointer info, int length);

        boolean AssignProcessToJobObject(WinNT.HANDLE job, WinNT.HANDLE process);

        boolean TerminateJobObject(WinNT.HANDLE job, int exitCode);

        int ResumeThread(WinNT.HANDLE thread);
    }

    interface Wtsapi32X extends StdCallLibrary {
        Wtsapi32X INSTANCE = Native.load("wtsapi32", Wtsapi32X.class, W32APIOptions.DEFAULT_OPTIONS);

        boolean WTSQueryUserToken(int sessionId, WinNT.HANDLEByReference token);
    }

    interface Userenv extends StdCallLibrary {
        Userenv INSTANCE = Native.load("userenv", Userenv.class, W32APIOptions.DEFAULT_OPTIONS);

        boolean CreateEnvironmentBlock(PointerByReference environment, WinNT.HANDLE token, boolean inherit);

        boolean DestroyEnvironmentBlock(Pointer environment);
    }

    interface Advapi32X extends StdCallLibrary {
        Advapi32X INSTANCE = Native.load("advapi32", Advapi32X.class, W32APIOptions.DEFAULT_OPTIONS);

        /** Maps to CreateProcessAsUserW; the environment is a raw Unicode block. */
        boolean CreateProcessAsUser(WinNT.HANDLE token, String application, char[] commandLine,
                                    WinBase.SECURITY_ATTRIBUTES processAttributes, WinBase.SECURITY_ATTRIBUTES threadAttributes,
                                    boolean inheritHandles, int creationFlags, Pointer environment, String currentDirectory,
                                    WinBase.STARTUPINFO startupInfo, WinBase.PROCESS_INFORMATION processInformation);

        boolean GetTokenInformation(WinNT.HANDLE token, int infoClass, Pointer info, int length, IntByReference returned);
    }

    @Structure.FieldOrder({"PerProcessUserTimeLimit", "PerJobUserTimeLimit", "LimitFlags", "MinimumWorkingSetSize",
            "MaximumWorkingSetSize", "ActiveProcessLimit", "Affinity", "PriorityClass", "SchedulingClass"})
    public static class JOBOBJECT_BASIC_LIMIT_INFORMATION extends Structure {
        public long PerProcessUserTimeLimit;
        public long PerJobUserTimeLimit;
        public int LimitFlags;
        public BaseTSD.SIZE_T MinimumWorkingSetSize = new BaseTSD.SIZE_T();
        public BaseTSD.SIZE_T MaximumWorkingSetSize = new BaseTSD.SIZE_T();
        public int ActiveProcessLimit;
        public BaseTSD.ULONG_PTR Affinity = new BaseTSD.ULONG_PTR();
        public int PriorityClass;
        public int SchedulingClass;
    }

    @Structure.FieldOrder({"BasicLimitInformation", "IoInfo", "ProcessMemoryLimit", "JobMemoryLimit",
            "PeakProcessMemoryUsed", "PeakJobMemoryUsed"})
    public static class JOBOBJECT_EXTENDED_LIMIT_INFORMATION extends Structure {
        public JOBOBJECT_BASIC_LIMIT_INFORMATION BasicLimitInformation = new JOBOBJECT_BASIC_LIMIT_INFORMATION();
        public WinNT.IO_COUNTERS IoInfo = new WinNT.IO_COUNTERS();
        public BaseTSD.SIZE_T ProcessMemoryLimit = new BaseTSD.SIZE_T();
        public BaseTSD.SIZE_T JobMemoryLimit = new BaseTSD.SIZE_T();
        public BaseTSD.SIZE_T PeakProcessMemoryUsed = new BaseTSD.SIZE_T();
        public BaseTSD.SIZE_T PeakJobMemoryUsed = new BaseTSD.SIZE_T();
    }
}
