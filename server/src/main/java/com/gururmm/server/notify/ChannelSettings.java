package com.gururmm.server.notify;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.gururmm.protocol.Json;
import java.util.List;

/**
 * The kind-specific part of a channel, stored as JSON in {@code notification_channels.settings}.
 * No secret is in here (see {@link ChannelStore.ChannelRow#secret()}).
 */
public record ChannelSettings(String preset, String url, String smtpHost, Integer smtpPort, String smtpTls, String smtpUsername,
                       String emailFrom, List<String> emailTo) {
    public ChannelSettings {
        emailTo = emailTo == null ? null : List.copyOf(emailTo);
    }

    static ChannelSettings parse(String json) {
        try {
            return Json.mapper().readValue(json, ChannelSettings.class);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored channel settings are not valid JSON", e);
        }
    }

    String toJson() {
        try {
            return Json.mapper().writeValueAsString(this);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
