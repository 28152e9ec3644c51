package com.gururmm.agent.platform.windows;

/**
 * The Service Control Manager's side of a Windows service, as narrow as {@link WindowsService}
 * needs: {@link JnaServiceControl} is the real one (advapi32 through JNA), the tests' fake plays
 * the SCM on Linux. Constants are the Win32 values (winsvc.h).
 */
public interface ServiceControl {
    int SERVICE_WIN32_OWN_PROCESS = 0x10;
    int SERVICE_STOPPED = 1;
    int SERVICE_START_PENDING = 2;
    int SERVICE_STOP_PENDING = 3;
    int SERVICE_RUNNING = 4;
    int SERVICE_CONTROL_STOP = 1;
    int SERVICE_CONTROL_INTERROGATE = 4;
    int SERVICE_CONTROL_SHUTDOWN = 5;
    int SERVICE_CONTROL_PRESHUTDOWN = 0xF;
    int SERVICE_ACCEPT_STOP = 0x1;
    int SERVICE_ACCEPT_SHUTDOWN = 0x4;
    int NO_ERROR = 0;
    int ERROR_CALL_NOT_IMPLEMENTED = 120;
    /** The exit code field says "see the service-specific code" (then the SCM's recovery actions apply). */
    int ERROR_SERVICE_SPECIFIC_ERROR = 1066;
    /** StartServiceCtrlDispatcher: the process was not started by the SCM (run from a console). */
    int ERROR_FAILED_SERVICE_CONTROLLER_CONNECT = 1063;

    /** Receives the SCM's control requests, on the SCM's dispatcher thread: it must return quickly. */
    @FunctionalInterface
    interface Handler {
        int control(int code);
    }

    /** The handle SetServiceStatus reports through. */
    interface StatusHandle {
    }

    /**
     * StartServiceCtrlDispatcher: connects this process to the SCM and runs {@code serviceMain} on
     * the SCM's thread; returns when the service has stopped. Returns the Win32 error when the
     * process was not started by the SCM ({@link #ERROR_FAILED_SERVICE_CONTROLLER_CONNECT}), else 0.
     */
    int dispatch(String serviceName, Runnable serviceMain);

    /** RegisterServiceCtrlHandlerEx, from inside {@code serviceMain}. */
    StatusHandle register(String serviceName, Handler handler);

    /** SetServiceStatus for an own-process service. */
    void setStatus(StatusHandle handle, int state, int controlsAccepted, int win32ExitCode, int serviceExitCode, int checkPoint, int waitHintMillis);
}
