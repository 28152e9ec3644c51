package com.gururmm.cli.releases;

import com.gururmm.cli.output.Table;
import com.gururmm.protocol.api.Releases.ReleaseView;
import com.gururmm.protocol.api.Releases.Rollout;
import java.util.List;

/** How releases look in {@code --output table}; JSON is always the API's own {@code ReleaseView}. */
final class ReleaseTables {
    private ReleaseTables() {
    }

    static Table list(List<ReleaseView> releases) {
        Table table = Table.of("FILE", "VERSION", "CHANNEL", "ROLLOUT", "SIGNED", "OFFERABLE", "RUNNING", "PENDING", "FAILED", "PROBLEMS");
        releases.forEach(r -> table.row(r.file(), r.version(), r.channel(), rollout(r.rollout()), yesNo(r.signed()), yesNo(r.offerable()),
                r.agents() == null ? null : r.agents().running(), r.agents() == null ? null : r.agents().pending(),
                r.agents() == null ? null : r.agents().failed(), r.problems()));
        return table;
    }

    static Table one(ReleaseView r) {
        return Table.fields()
                .row("file", r.file())
                .row("platform", r.os() + "-" + r.arch())
                .row("version", r.version())
                .row("channel", r.channel())
                .row("rollout", rollout(r.rollout()))
                .row("pause_reason", r.rollout() == null ? null : r.rollout().pauseReason())
                .row("sha256", r.sha256())
                .row("size", r.size())
                .row("signed", yesNo(r.signed()))
                .row("offerable", yesNo(r.offerable()))
                .row("agents", r.agents() == null ? null
                        : r.agents().running() + " running, " + r.agents().pending() + " pending, " + r.agents().failed() + " failed")
                .row("problems", r.problems());
    }

    /** "100%", "10%", or "10% paused": a paused release is offered to nobody, whatever its percentage. */
    private static String rollout(Rollout rollout) {
        if (rollout == null) {
            return null;
        }
        return rollout.percent() + "%" + (rollout.paused() ? " paused" : "");
    }

    private static String yesNo(boolean value) {
        return value ? "yes" : "no";
    }
}
