package com.gururmm.agent.platform.windows;

import com.sun.jna.platform.win32.Advapi32;
import com.sun.jna.platform.win32.Kernel32;
import com.sun.jna.platform.win32.Winsvc;

/**
 * The real Service Control Manager, through jna-platform's advapi32 binding. Windows cannot run
 * here: this class compiles against the binding and has never run (WindowsServiceTest drives
 * {@link WindowsService} against a fake instead).
 */
public final class JnaServiceControl implements ServiceControl {
    private record Handle(Winsvc.SERVICE_STATUS_HANDLE native_) implements StatusHandle {
    }

    /** Kept reachable for as long as the SCM may call them (JNA callbacks must not be collected). */
    private Winsvc.SERVICE_MAIN_FUNCTION main;
    private Winsvc.HandlerEx handlerEx;

    @Override
    public int dispatch(String serviceName, Runnable serviceMain) {
        main = (argc, argv) -> serviceMain.run();
        Winsvc.SERVICE_TABLE_ENTRY entry = new Winsvc.SERVICE_TABLE_ENTRY();
        entry.lpServiceName = serviceName;
        entry.lpServiceProc = main;
        Winsvc.SERVICE_TABLE_ENTRY[] table = (Winsvc.SERVICE_TABLE_ENTRY[]) entry.toArray(2); // null-terminated
        return Advapi32.INSTANCE.StartServiceCtrlDispatcher(table) ? 0 : Kernel32.INSTANCE.GetLastError();
    }

    @Override
    public StatusHandle register(String serviceName, Handler handler) {
        handlerEx = (control, eventType, eventData, context) -> handler.control(control);
        return new Handle(Advapi32.INSTANCE.RegisterServiceCtrlHandlerEx(serviceName, handlerEx, null));
    }

    @Override
    public void setStatus(StatusHandle handle, int state, int controlsAccepted, int win32ExitCode, int serviceExitCode, int checkPoint,
                          int waitHintMillis) {
        Winsvc.SERVICE_STATUS status = new Winsvc.SERVICE_STATUS();
        status.dwServiceType = SERVICE_WIN32_OWN_PROCESS;
        status.dwCurrentState = state;
        status.dwControlsAccepted = controlsAccepted;
        status.dwWin32ExitCode = win32ExitCode;
        status.dwServiceSpecificExitCode = serviceExitCode;
        status.dwCheckPoint = checkPoint;
        status.dwWaitHint = waitHintMillis;
        Advapi32.INSTANCE.SetServiceStatus(((Handle) handle).native_(), status);
    }
}
