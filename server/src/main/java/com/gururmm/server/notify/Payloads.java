package com.gururmm.server.notify;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.gururmm.protocol.Json;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Set;
import java.util.UUID;

/**
 * Renders a {@link Notice} as the JSON body each webhook preset's receiver accepts:
 * <ul>
 *   <li>{@code generic}: the notice itself plus {@code delivery_id} and {@code sent_at};</li>
 *   <li>{@code slack}: an incoming-webhook message {@code {"text": ...}};</li>
 *   <li>{@code discord}: {@code {"content": ...}} (Discord caps content at 2000 characters);</li>
 *   <li>{@code teams}: an Office 365 connector MessageCard (Teams incoming webhooks and Workflows accept it).</li>
 * </ul>
 */
final class Payloads {
    static final Set<String> PRESETS = Set.of("generic", "slack", "teams", "discord");

    private Payloads() {
    }

    static byte[] render(String preset, Notice notice, UUID deliveryId, Instant sentAt) {
        ObjectNode root = Json.mapper().createObjectNode();
        switch (preset == null ? "generic" : preset) {
            case "slack" -> root.put("text", Texts.clip(notice.body().strip(), 3500));
            case "discord" -> root.put("content", Texts.clip(notice.body().strip(), 2000));
            case "teams" -> {
                root.put("@type", "MessageCard");
                root.put("@context", "https://schema.org/extensions");
                root.put("summary", Texts.clip(notice.text(), 200));
                root.put("themeColor", color(notice));
                root.put("title", Texts.clip(notice.subject(), 250));
                // MessageCard text is Markdown: keep the lines apart.
                root.put("text", Texts.clip(notice.body().strip(), 20_000).replace("\n", "  \n"));
            }
            default -> {
                root = Json.mapper().valueToTree(notice);
                ObjectNode withIds = Json.mapper().createObjectNode();
                withIds.put("delivery_id", deliveryId.toString());
                withIds.put("sent_at", sentAt.toString());
                withIds.setAll(root);
                root = withIds;
            }
        }
        try {
            return Json.mapper().writeValueAsString(root).getBytes(StandardCharsets.UTF_8);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String color(Notice notice) {
        String severity = notice.alert() != null ? notice.alert().severity() : notice.type().equals("digest") ? "critical" : "info";
        boolean resolved = notice.alert() != null && "resolved".equals(notice.alert().state());
        return resolved ? "2EB67D" : switch (severity == null ? "" : severity) {
            case "critical" -> "D40E0D";
            case "warning" -> "ECB22E";
            default -> "1D9BD1";
        };
    }
}
