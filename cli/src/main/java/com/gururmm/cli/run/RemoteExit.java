package com.gururmm.cli.run;

import com.gururmm.cli.ExitCode;
import com.gururmm.protocol.api.Commands.CommandView;

/** What {@code run --wait} exits with for a finished command (docs/CLI.md). */
final class RemoteExit {
    private RemoteExit() {
    }

    static int of(CommandView view) {
        return switch (view.status()) {
            case "completed" -> view.exitCode() == null ? ExitCode.OK : view.exitCode();
            case "timeout" -> ExitCode.REMOTE_TIMEOUT;
            case "cancelled" -> ExitCode.REMOTE_CANCELLED;
            default -> ExitCode.REMOTE_FAILED;
        };
    }

    /** True for the only result a script should treat as success. */
    static boolean succeeded(CommandView view) {
        return of(view) == ExitCode.OK && "completed".equals(view.status());
    }
}
