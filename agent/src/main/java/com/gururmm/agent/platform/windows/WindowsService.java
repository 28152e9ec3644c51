package com.gururmm.agent.platform.windows;

import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code gururmm-agent.jar service}: the agent's launcher as a Windows service (the MSI registers
 * it, docs/OPERATIONS.md "Windows (MSI)"). The protocol with the Service Control Manager:
 * report START_PENDING, run the launcher on a thread of its own, report RUNNING; on STOP or
 * SHUTDOWN report STOP_PENDING (with a wait hint long enough for the launcher to stop the agent
 * and finish a running command's journal write) and ask the launcher to stop; once it has
 * returned report STOPPED. A launcher that ends by itself is reported STOPPED with a
 * service-specific error, so the service's recovery actions (restart, set by the MSI) apply.
 *
 * <p>Windows cannot run here: this class is tested against a fake SCM (WindowsServiceTest); the
 * JNA binding ({@link JnaServiceControl}) has never run on Windows.
 */
public final class WindowsService {
    private static final Logger log = LoggerFactory.getLogger(WindowsService.class);
    public static final String NAME = "GuruRMMAgent";
    static final int START_WAIT_MILLIS = 30_000;
    static final int STOP_WAIT_MILLIS = 45_000;

    /** The work the service does: {@code run} blocks until {@code stop} is called (or it fails), returning an exit code. */
    public interface Work {
        int run() throws Exception;

        void stop();
    }

    private final ServiceControl scm;
    private final Work work;
    private final AtomicInteger state = new AtomicInteger(ServiceControl.SERVICE_STOPPED);
    private volatile ServiceControl.StatusHandle handle;
    private volatile boolean stopRequested;
    private volatile int checkPoint;

    WindowsService(ServiceControl scm, Work work) {
        this.scm = scm;
        this.work = work;
    }

    /** Runs {@code work} as service {@link #NAME}; returns the process exit code (2 when not started by the SCM). */
    public static int run(ServiceControl scm, Work work) {
        WindowsService service = new WindowsService(scm, work);
        int error = scm.dispatch(NAME, service::serviceMain);
        if (error == ServiceControl.ERROR_FAILED_SERVICE_CONTROLLER_CONNECT) {
            System.err.println("gururmm-agent: 'service' is for the Windows Service Control Manager (the MSI registers " + NAME
                    + "); run 'gururmm-agent launcher' from a console instead.");
            return 2;
        }
        return error == 0 ? 0 : 1;
    }

    /** The SCM's ServiceMain: runs on the dispatcher's thread until the service has stopped. */
    void serviceMain() {
        handle = scm.register(NAME, this::control);
        report(ServiceControl.SERVICE_START_PENDING, 0, 0, START_WAIT_MILLIS);
        int[] exit = {0};
        Thread runner = Thread.ofPlatform().name("gururmm-service").start(() -> {
            try {
                exit[0] = work.run();
            } catch (Exception e) {
                log.error("the agent's launcher failed", e);
                exit[0] = 1;
            }
        });
        report(ServiceControl.SERVICE_RUNNING, 0, 0, 0);
        try {
            runner.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (stopRequested || exit[0] == 0) {
            report(ServiceControl.SERVICE_STOPPED, ServiceControl.NO_ERROR, 0, 0);
        } else {
            log.error("the agent's launcher ended by itself with code {}; reporting the service stopped with that error", exit[0]);
            report(ServiceControl.SERVICE_STOPPED, ServiceControl.ERROR_SERVICE_SPECIFIC_ERROR, exit[0], 0);
        }
    }

    /** The control handler: answers at once; the stop itself runs on its own thread. */
    int control(int code) {
        switch (code) {
            case ServiceControl.SERVICE_CONTROL_STOP, ServiceControl.SERVICE_CONTROL_SHUTDOWN, ServiceControl.SERVICE_CONTROL_PRESHUTDOWN -> {
                if (!stopRequested && state.get() != ServiceControl.SERVICE_STOPPED) {
                    stopRequested = true;
                    report(ServiceControl.SERVICE_STOP_PENDING, 0, 0, STOP_WAIT_MILLIS);
                    Thread.ofPlatform().name("gururmm-service-stop").start(work::stop);
                }
                return ServiceControl.NO_ERROR;
            }
            case ServiceControl.SERVICE_CONTROL_INTERROGATE -> {
                report(state.get(), 0, 0, 0);
                return ServiceControl.NO_ERROR;
            }
            default -> {
                return ServiceControl.ERROR_CALL_NOT_IMPLEMENTED;
            }
        }
    }

    private synchronized void report(int newState, int win32Exit, int serviceExit, int waitHint) {
        state.set(newState);
        boolean pending = newState == ServiceControl.SERVICE_START_PENDING || newState == ServiceControl.SERVICE_STOP_PENDING;
        int accepted = newState == ServiceControl.SERVICE_RUNNING ? ServiceControl.SERVICE_ACCEPT_STOP | ServiceControl.SERVICE_ACCEPT_SHUTDOWN : 0;
        scm.setStatus(handle, newState, accepted, win32Exit, serviceExit, pending ? ++checkPoint : 0, waitHint);
    }
}
