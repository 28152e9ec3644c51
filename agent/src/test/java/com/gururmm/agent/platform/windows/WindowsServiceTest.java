package com.gururmm.agent.platform.windows;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The agent's Windows service against a fake Service Control Manager (Windows cannot run here):
 * the states it reports, in order, with the controls it accepts, check points and wait hints; STOP
 * and SHUTDOWN stop the work; a work that ends by itself is a service-specific error (so the
 * SCM's recovery restarts it); run from a console it says so and exits 2.
 */
@Timeout(30)
class WindowsServiceTest {
    record Status(int state, int accepted, int win32Exit, int serviceExit, int checkPoint, int waitHint) {
    }

    /** Plays the SCM: dispatch runs ServiceMain on a thread of its own, as StartServiceCtrlDispatcher does. */
    static final class FakeScm implements ServiceControl {
        final List<Status> statuses = new CopyOnWriteArrayList<>();
        final CompletableFuture<Handler> handler = new CompletableFuture<>();
        final CountDownLatch running = new CountDownLatch(1);
        boolean fromConsole;
        String registeredName;

        @Override
        public int dispatch(String serviceName, Runnable serviceMain) {
            if (fromConsole) {
                return ERROR_FAILED_SERVICE_CONTROLLER_CONNECT;
            }
            Thread main = Thread.ofPlatform().start(serviceMain);
            try {
                main.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return 0;
        }

        @Override
        public StatusHandle register(String serviceName, Handler h) {
            registeredName = serviceName;
            handler.complete(h);
            return new StatusHandle() { };
        }

        @Override
        public void setStatus(StatusHandle handle, int state, int accepted, int win32Exit, int serviceExit, int checkPoint, int waitHint) {
            assertThat(handle).isNotNull();
            statuses.add(new Status(state, accepted, win32Exit, serviceExit, checkPoint, waitHint));
            if (state == SERVICE_RUNNING) {
                running.countDown();
            }
        }

        int send(int control) throws Exception {
            return handler.get(5, TimeUnit.SECONDS).control(control);
        }
    }

    /** Work that runs until stopped, like the launcher. */
    static final class BlockingWork implements WindowsService.Work {
        final CountDownLatch stopped = new CountDownLatch(1);
        volatile int stops;

        @Override
        public int run() throws Exception {
            stopped.await();
            return 0;
        }

        @Override
        public void stop() {
            stops++;
            stopped.countDown();
        }
    }

    @Test
    void startsReportsRunningAndStopsOnStopWithTheStatesTheScmExpects() throws Exception {
        FakeScm scm = new FakeScm();
        BlockingWork work = new BlockingWork();
        CompletableFuture<Integer> exit = CompletableFuture.supplyAsync(() -> WindowsService.run(scm, work));
        assertThat(scm.running.await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(scm.registeredName).isEqualTo("GuruRMMAgent");
        assertThat(scm.send(ServiceControl.SERVICE_CONTROL_INTERROGATE)).isEqualTo(ServiceControl.NO_ERROR);
        assertThat(scm.send(0x80)).as("a user-defined control").isEqualTo(ServiceControl.ERROR_CALL_NOT_IMPLEMENTED);
        assertThat(scm.send(ServiceControl.SERVICE_CONTROL_STOP)).isEqualTo(ServiceControl.NO_ERROR);
        assertThat(scm.send(ServiceControl.SERVICE_CONTROL_STOP)).as("a second STOP while stopping").isEqualTo(ServiceControl.NO_ERROR);
        assertThat(exit.get(10, TimeUnit.SECONDS)).isZero();
        assertThat(work.stops).isEqualTo(1);

        List<Status> s = scm.statuses;
        assertThat(s).extracting(Status::state).containsExactly(ServiceControl.SERVICE_START_PENDING, ServiceControl.SERVICE_RUNNING,
                ServiceControl.SERVICE_RUNNING, ServiceControl.SERVICE_STOP_PENDING, ServiceControl.SERVICE_STOPPED);
        assertThat(s.get(0).waitHint()).isPositive();
        assertThat(s.get(0).checkPoint()).isPositive();
        assertThat(s.get(0).accepted()).as("no controls while starting").isZero();
        assertThat(s.get(1).accepted()).isEqualTo(ServiceControl.SERVICE_ACCEPT_STOP | ServiceControl.SERVICE_ACCEPT_SHUTDOWN);
        assertThat(s.get(1).checkPoint()).isZero();
        assertThat(s.get(3).waitHint()).isGreaterThanOrEqualTo(30_000);
        assertThat(s.get(3).checkPoint()).isGreaterThan(s.get(0).checkPoint());
        assertThat(s.get(4).win32Exit()).isEqualTo(ServiceControl.NO_ERROR);
    }

    @Test
    void shutdownStopsTheWorkToo() throws Exception {
        FakeScm scm = new FakeScm();
        BlockingWork work = new BlockingWork();
        CompletableFuture<Integer> exit = CompletableFuture.supplyAsync(() -> WindowsService.run(scm, work));
        assertThat(scm.running.await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(scm.send(ServiceControl.SERVICE_CONTROL_SHUTDOWN)).isEqualTo(ServiceControl.NO_ERROR);
        assertThat(exit.get(10, TimeUnit.SECONDS)).isZero();
        assertThat(scm.statuses.get(scm.statuses.size() - 1).state()).isEqualTo(ServiceControl.SERVICE_STOPPED);
    }

    @Test
    void workThatEndsByItselfIsAServiceSpecificErrorSoRecoveryRestartsIt() {
        FakeScm scm = new FakeScm();
        WindowsService.Work failing = new WindowsService.Work() {
            @Override
            public int run() {
                return 3; // the launcher's "another launcher holds the state dir"
            }

            @Override
            public void stop() {
            }
        };
        assertThat(WindowsService.run(scm, failing)).isZero();
        Status last = scm.statuses.get(scm.statuses.size() - 1);
        assertThat(last.state()).isEqualTo(ServiceControl.SERVICE_STOPPED);
        assertThat(last.win32Exit()).isEqualTo(ServiceControl.ERROR_SERVICE_SPECIFIC_ERROR);
        assertThat(last.serviceExit()).isEqualTo(3);
    }

    @Test
    void runFromAConsoleItSaysSoAndExits2() {
        FakeScm scm = new FakeScm();
        scm.fromConsole = true;
        assertThat(WindowsService.run(scm, new BlockingWork())).isEqualTo(2);
        assertThat(scm.statuses).isEmpty();
    }
}
