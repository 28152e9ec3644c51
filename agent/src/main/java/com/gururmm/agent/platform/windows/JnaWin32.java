package com.gururmm.agent.platform.windows;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.platform.win32.Advapi32;
import com.sun.jna.platform.win32.Kernel32;
import com.sun.jna.platform.win32.Kernel32Util;
import com.sun.jna.platform.win32.WinBase;
import com.sun.jna.platform.win32.WinDef;
import com.sun.jna.platform.win32.WinError;
import com.sun.jna.platform.win32.WinNT;
import com.sun.jna.platform.win32.Wtsapi32;
import com.sun.jna.ptr.IntByReference;
import com.sun.jna.ptr.PointerByReference;
import java.util.ArrayList;
import java.util.List;

/**
 * {@link Win32} through JNA: jna-platform's {@code Wtsapi32}, {@code Advapi32} and
 * {@code Kernel32} where they have the function, {@link Win32Natives} for the rest.
 *
 * <p>Compiled and reviewed, but never executed by this repository's tests: they run on Linux,
 * where these libraries do not exist. The logic that decides what to call is tested through
 * {@link Win32} with a fake; this class is kept to one call per method so there is little
 * here that a fake cannot stand in for.
 */
final class JnaWin32 implements Win32 {
    private static final String DESKTOP = "winsta0\\default";
    private static final int CREATE_FLAGS = WinBase.CREATE_SUSPENDED | WinBase.CREATE_NO_WINDOW | WinBase.CREATE_UNICODE_ENVIRONMENT;
    private static final int WAIT_OBJECT_0 = 0;
    private static final int WAIT_TIMEOUT = 0x102;
    private static final int TOKEN_ELEVATION_TYPE_LIMITED = 3;

    private final Kernel32 kernel32 = Kernel32.INSTANCE;

    @Override
    public int activeConsoleSessionId() {
        return Win32Natives.Kernel32X.INSTANCE.WTSGetActiveConsoleSessionId();
    }

    @Override
    public List<Session> sessions() throws Win32Exception {
        PointerByReference info = new PointerByReference();
        IntByReference count = new IntByReference();
        if (!Wtsapi32.INSTANCE.WTSEnumerateSessions(Wtsapi32.WTS_CURRENT_SERVER_HANDLE, 0, 1, info, count)) {
            throw lastError("WTSEnumerateSessions");
        }
        try {
            List<Session> out = new ArrayList<>();
            if (count.getValue() > 0) {
                Wtsapi32.WTS_SESSION_INFO first = new Wtsapi32.WTS_SESSION_INFO(info.getValue());
                for (var row : (Wtsapi32.WTS_SESSION_INFO[]) first.toArray(count.getValue())) {
                    out.add(new Session(row.SessionId, row.State == Wtsapi32.WTS_CONNECTSTATE_CLASS.WTSActive));
                }
            }
            return out;
        } finally {
            Wtsapi32.INSTANCE.WTSFreeMemory(info.getValue());
        }
    }

    @Override
    public String sessionUser(int sessionId) throws Win32Exception {
        String user = sessionString(sessionId, Wtsapi32.WTS_INFO_CLASS.WTSUserName);
        if (user.isEmpty()) {
            return "";
        }
        String domain = sessionString(sessionId, Wtsapi32.WTS_INFO_CLASS.WTSDomainName);
        return domain.isEmpty() ? user : domain + "\\" + user;
    }

    private String sessionString(int sessionId, int infoClass) throws Win32Exception {
        PointerByReference buffer = new PointerByReference();
        IntByReference bytes = new IntByReference();
        if (!Wtsapi32.INSTANCE.WTSQuerySessionInformation(Wtsapi32.WTS_CURRENT_SERVER_HANDLE, sessionId, infoClass, buffer, bytes)) {
            throw lastError("WTSQuerySessionInformation");
        }
        try {
            return buffer.getValue() == null ? "" : buffer.getValue().getWideString(0);
        } finally {
            Wtsapi32.INSTANCE.WTSFreeMemory(buffer.getValue());
        }
    }

    @Override
    public Handle queryUserToken(int sessionId) throws Win32Exception {
        WinNT.HANDLEByReference token = new WinNT.HANDLEByReference();
        if (!Win32Natives.Wtsapi32X.INSTANCE.WTSQueryUserToken(sessionId, token)) {
            throw lastError("WTSQueryUserToken");
        }
        return wrap(token.getValue());
    }

    @Override
    public boolean isFilteredAdmin(Handle token) throws Win32Exception {
        Memory type = new Memory(4);
        if (!Win32Natives.Advapi32X.INSTANCE.GetTokenInformation(raw(token), WinNT.TOKEN_INFORMATION_CLASS.TokenElevationType,
                type, 4, new IntByReference())) {
            throw lastError("GetTokenInformation(TokenElevationType)");
        }
        return type.getInt(0) == TOKEN_ELEVATION_TYPE_LIMITED;
    }

    @Override
    public Handle linkedToken(Handle token) throws Win32Exception {
        Memory linked = new Memory(Native.POINTER_SIZE);
        if (!Win32Natives.Advapi32X.INSTANCE.GetTokenInformation(raw(token), WinNT.TOKEN_INFORMATION_CLASS.TokenLinkedToken,
                linked, Native.POINTER_SIZE, new IntByReference())) {
            throw lastError("GetTokenInformation(TokenLinkedToken)");
        }
        return new Handle(Pointer.nativeValue(linked.getPointer(0)));
    }

    @Override
    public Handle duplicatePrimary(Handle token) throws Win32Exception {
        WinNT.HANDLEByReference primary = new WinNT.HANDLEByReference();
        if (!Advapi32.INSTANCE.DuplicateTokenEx(raw(token), WinNT.TOKEN_ALL_ACCESS, null,
                WinNT.SECURITY_IMPERSONATION_LEVEL.SecurityImpersonation, WinNT.TOKEN_TYPE.TokenPrimary, primary)) {
            throw lastError("DuplicateTokenEx");
        }
        return wrap(primary.getValue());
    }

    @Override
    public String environmentBlock(Handle token) throws Win32Exception {
        PointerByReference block = new PointerByReference();
        if (!Win32Natives.Userenv.INSTANCE.CreateEnvironmentBlock(block, raw(token), false)) {
            throw lastError("CreateEnvironmentBlock");
        }
        try {
            Pointer p = block.getValue();
            StringBuilder text = new StringBuilder();
            long offset = 0;
            for (String entry = p.getWideString(0); !entry.isEmpty(); entry = p.getWideString(offset)) {
                text.append(entry).append('\0');
                offset += (entry.length() + 1L) * Native.WCHAR_SIZE;
            }
            return text.toString();
        } finally {
            Win32Natives.Userenv.INSTANCE.DestroyEnvironmentBlock(block.getValue());
        }
    }

    @Override
    public Handle openNul() throws Win32Exception {
        WinNT.HANDLE nul = kernel32.CreateFile("NUL", WinNT.GENERIC_READ, WinNT.FILE_SHARE_READ | WinNT.FILE_SHARE_WRITE,
                inheritable(), WinNT.OPEN_EXISTING, 0, null);
        if (nul == null || WinBase.INVALID_HANDLE_VALUE.equals(nul)) {
            throw lastError("CreateFile(NUL)");
        }
        return wrap(nul);
    }

    @Override
    public Pipe createPipe() throws Win32Exception {
        WinNT.HANDLEByReference read = new WinNT.HANDLEByReference();
        WinNT.HANDLEByReference write = new WinNT.HANDLEByReference();
        if (!kernel32.CreatePipe(read, write, inheritable(), 0)) {
            throw lastError("CreatePipe");
        }
        // Only the child's end may be inherited; an inherited read end would keep the pipe open.
        if (!kernel32.SetHandleInformation(read.getValue(), WinBase.HANDLE_FLAG_INHERIT, 0)) {
            Win32Exception e = lastError("SetHandleInformation");
            kernel32.CloseHandle(read.getValue());
            kernel32.CloseHandle(write.getValue());
            throw e;
        }
        return new Pipe(wrap(read.getValue()), wrap(write.getValue()));
    }

    @Override
    public Handle createJob() throws Win32Exception {
        WinNT.HANDLE job = Win32Natives.Kernel32X.INSTANCE.CreateJobObject(null, null);
        if (job == null) {
            throw lastError("CreateJobObject");
        }
        return wrap(job);
    }

    @Override
    public void setKillOnClose(Handle job, boolean kill) throws Win32Exception {
        var limits = new Win32Natives.JOBOBJECT_EXTENDED_LIMIT_INFORMATION();
        limits.BasicLimitInformation.LimitFlags = kill ? Win32Natives.JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE : 0;
        limits.write();
        if (!Win32Natives.Kernel32X.INSTANCE.SetInformationJobObject(raw(job), Win32Natives.JOB_OBJECT_EXTENDED_LIMIT_INFORMATION_CLASS,
                limits.getPointer(), limits.size())) {
            throw lastError("SetInformationJobObject");
        }
    }

    @Override
    public Started createProcessAsUser(Handle token, String application, String commandLine, String directory,
                                       String environmentBlock, Handle stdin, Handle stdout, Handle stderr) throws Win32Exception {
        WinBase.STARTUPINFO startup = new WinBase.STARTUPINFO();
        startup.lpDesktop = DESKTOP;
        startup.dwFlags = WinBase.STARTF_USESTDHANDLES;
        startup.hStdInput = raw(stdin);
        startup.hStdOutput = raw(stdout);
        startup.hStdError = raw(stderr);
        char[] env = environmentBlock.toCharArray();
        Memory envMemory = new Memory((long) env.length * Native.WCHAR_SIZE);
        envMemory.write(0, env, 0, env.length);
        WinBase.PROCESS_INFORMATION info = new WinBase.PROCESS_INFORMATION();
        // CreateProcessAsUserW may write into the command line, so it gets a mutable buffer.
        if (!Win32Natives.Advapi32X.INSTANCE.CreateProcessAsUser(raw(token), application, Native.toCharArray(commandLine),
                null, null, true, CREATE_FLAGS, envMemory, directory, startup, info)) {
            throw lastError("CreateProcessAsUser");
        }
        return new Started(wrap(info.hProcess), wrap(info.hThread), info.dwProcessId.intValue());
    }

    @Override
    public void assignToJob(Handle job, Handle process) throws Win32Exception {
        if (!Win32Natives.Kernel32X.INSTANCE.AssignProcessToJobObject(raw(job), raw(process))) {
            throw lastError("AssignProcessToJobObject");
        }
    }

    @Override
    public void resumeThread(Handle thread) throws Win32Exception {
        if (Win32Natives.Kernel32X.INSTANCE.ResumeThread(raw(thread)) == -1) {
            throw lastError("ResumeThread");
        }
    }

    @Override
    public void terminateJob(Handle job, int exitCode) throws Win32Exception {
        if (!Win32Natives.Kernel32X.INSTANCE.TerminateJobObject(raw(job), exitCode)) {
            throw lastError("TerminateJobObject");
        }
    }

    @Override
    public void terminateProcess(Handle process, int exitCode) throws Win32Exception {
        if (!kernel32.TerminateProcess(raw(process), exitCode)) {
            throw lastError("TerminateProcess");
        }
    }

    @Override
    public boolean waitForExit(Handle process, long millis) throws Win32Exception {
        int timeout = millis == INFINITE ? WinBase.INFINITE : (int) Math.min(millis, Integer.MAX_VALUE - 1L);
        int result = kernel32.WaitForSingleObject(raw(process), timeout);
        if (result == WAIT_OBJECT_0) {
            return true;
        }
        if (result == WAIT_TIMEOUT) {
            return false;
        }
        throw lastError("WaitForSingleObject");
    }

    @Override
    public int exitCode(Handle process) throws Win32Exception {
        IntByReference code = new IntByReference();
        if (!kernel32.GetExitCodeProcess(raw(process), code)) {
            throw lastError("GetExitCodeProcess");
        }
        return code.getValue();
    }

    @Override
    public int read(Handle pipe, byte[] buffer) throws Win32Exception {
        IntByReference n = new IntByReference();
        if (!kernel32.ReadFile(raw(pipe), buffer, buffer.length, n, null)) {
            int error = kernel32.GetLastError();
            if (error == WinError.ERROR_BROKEN_PIPE) {
                return -1; // every write end is closed: end of output
            }
            throw new Win32Exception("ReadFile", error, Kernel32Util.formatMessageFromLastErrorCode(error));
        }
        return n.getValue();
    }

    @Override
    public void close(Handle handle) {
        if (handle != null && handle.value() != 0) {
            kernel32.CloseHandle(raw(handle));
        }
    }

    private static WinBase.SECURITY_ATTRIBUTES inheritable() {
        WinBase.SECURITY_ATTRIBUTES attributes = new WinBase.SECURITY_ATTRIBUTES();
        attributes.dwLength = new WinDef.DWORD(attributes.size());
        attributes.bInheritHandle = true;
        return attributes;
    }

    private static Handle wrap(WinNT.HANDLE handle) {
        return new Handle(Pointer.nativeValue(handle.getPointer()));
    }

    private static WinNT.HANDLE raw(Handle handle) {
        return new WinNT.HANDLE(new Pointer(handle.value()));
    }

    private Win32Exception lastError(String call) {
        int error = kernel32.GetLastError();
        return new Win32Exception(call, error, Kernel32Util.formatMessageFromLastErrorCode(error));
    }
}
