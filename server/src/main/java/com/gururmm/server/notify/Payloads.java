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
            case "slack" -> {
                // Hostnames, site names, check output and script messages come from agents: Slack's
                // control sequences (<!channel>, <@U…>, <url|label>) must arrive as text, so the three
                // characters Slack documents as control characters are entity-escaped.
                root.put("text", slackEscape(Texts.clip(notice.body().strip(), 3500)));
                root.put("unfurl_links", false);
                root.put("unfurl_media", false);
            }
            case "discord" -> {
                // Escaping alone does not stop @everyone/@here or role pings: allowed_mentions with an
                // empty parse list tells Discord to notify nobody, whatever the text says.
                root.put("content", Texts.clip(markdownEscape(notice.body().strip()), 2000));
                root.putObject("allowed_mentions").putArray("parse");
            }
            case "teams" -> {
                root.put("@type", "MessageCard");
                root.put("@context", "https://schema.org/extensions");
                root.put("summary", Texts.clip(notice.text(), 200));
                root.put("themeColor", color(notice));
                root.put("title", Texts.clip(notice.subject(), 250));
                // MessageCard text is Markdown: agent text must not become links or formatting; keep the lines apart.
                root.put("text", markdownEscape(Texts.clip(notice.body().strip(), 20_000)).replace("\n", "  \n"));
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

    /** Slack's documented escaping: only {@code &}, {@code <} and {@code >} are control characters. */
    static String slackEscape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }

    /**
     * Backslash-escapes the characters Markdown (Discord's and Teams') gives meaning to, so text such
     * as {@code [click](http://evil)} or {@code <@123>} renders literally. The server's own body is
     * plain text, so escaping all of it loses no formatting.
     */
    static String markdownEscape(String text) {
        StringBuilder b = new StringBuilder(text.length() + 16);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if ("\\`*_~|[]()<>#@!".indexOf(c) >= 0) {
                b.append('\\');
            }
            b.append(c);
        }
        return b.toString();
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
