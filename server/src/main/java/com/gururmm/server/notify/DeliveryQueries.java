package com.gururmm.server.notify;

import com.gururmm.protocol.api.Notifications.DeliveryView;
import com.gururmm.server.http.ApiException;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** Read side of the delivery log. */
final class DeliveryQueries {
    private final DeliveryStore store;

    DeliveryQueries(DeliveryStore store) {
        this.store = store;
    }

    List<DeliveryView> list(UUID channel, UUID alert, String status, int limit) {
        List<DeliveryStore.DeliveryRow> rows = store.list(channel, alert, status, limit);
        Map<UUID, List<DeliveryStore.AttemptRow>> attempts = store.attempts(rows.stream().map(DeliveryStore.DeliveryRow::id).toList());
        return rows.stream().map(r -> view(r, attempts.getOrDefault(r.id(), List.of()))).toList();
    }

    DeliveryView get(UUID id) {
        DeliveryStore.DeliveryRow row = store.find(id).orElseThrow(() -> ApiException.notFound("notification delivery", id));
        return view(row, store.attempts(List.of(id)).getOrDefault(id, List.of()));
    }

    private static DeliveryView view(DeliveryStore.DeliveryRow r, List<DeliveryStore.AttemptRow> attempts) {
        return new DeliveryView(r.id(), r.channelId(), r.kind(), r.ruleId(), r.alertId(), r.alertState(), r.site(), r.status(),
                r.attempts(), r.nextAttemptAt(), r.lastError(), r.createdAt(), r.completedAt(),
                attempts.stream().map(ChannelService::view).toList());
    }
}
