package com.gururmm.server.notify;

import com.gururmm.server.events.AlertChanged;
import java.time.Instant;
import java.util.List;

/**
 * The alert engine's committed alert changes since a time, as {@link AlertChanged} events (one
 * per state change, with the state it changed to). Notifications use it at start (and when the
 * bus reports dropped events) to route changes whose event never reached them: the gap between
 * the alert engine's commit and this module's delivery insert. The alert engine owns the table,
 * so it provides the implementation; {@link NotificationModule#catchUpFrom} wires it.
 */
@FunctionalInterface
public interface AlertChangeSource {
    List<AlertChanged> changesSince(Instant since);
}
