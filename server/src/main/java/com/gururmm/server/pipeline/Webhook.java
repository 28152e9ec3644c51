package com.gururmm.server.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.gururmm.protocol.Json;
import com.gururmm.server.http.ApiException;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.function.Function;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * A forge's push webhook, checked and read: GitHub ({@code X-Hub-Signature-256: sha256=<hex>},
 * {@code X-GitHub-Event}, {@code X-GitHub-Delivery}) and Gitea/Forgejo ({@code X-Gitea-Signature:
 * <hex>}, {@code X-Gitea-Event}, {@code X-Gitea-Delivery}). The signature is HMAC-SHA256 of the
 * raw body with the shared secret, compared in constant time. Nothing in the body is believed
 * before the signature is.
 */
final class Webhook {
    private static final Pattern HEX_SHA1 = Pattern.compile("[0-9a-f]{40}");
    private static final Pattern DELIVERY = Pattern.compile("[A-Za-z0-9._:-]{1,200}");
    private static final String ZERO_SHA = "0".repeat(40);

    /** A delivery whose signature was verified. */
    record Delivery(String source, String event, String deliveryId, byte[] body) {
    }

    /** What a verified push asks for. {@code before} is null for a new branch (nothing to diff against). */
    record Push(String ref, String after, String before, boolean deleted, String pusher) {
    }

    private Webhook() {
    }

    /** Checks the signature over {@code body}; {@code header} reads a request header by name (null if absent). */
    static Delivery verify(Function<String, String> header, byte[] body, byte[] secret) {
        String github = header.apply("X-Hub-Signature-256");
        String gitea = header.apply("X-Gitea-Signature");
        String source;
        String signature;
        if (github != null) {
            source = "github";
            if (!github.startsWith("sha256=")) {
                throw ApiException.unauthorized("X-Hub-Signature-256 must be 'sha256=' and the hex HMAC-SHA256 of the body.");
            }
            signature = github.substring("sha256=".length());
        } else if (gitea != null) {
            source = "gitea";
            signature = gitea;
        } else {
            throw ApiException.unauthorized("The webhook is not signed: send X-Hub-Signature-256 (GitHub) or X-Gitea-Signature (Gitea),"
                    + " the HMAC-SHA256 of the body with the pipeline's secret (GURURMM_PIPELINE_SECRET_FILE).");
        }
        byte[] given;
        try {
            given = HexFormat.of().parseHex(signature.trim().toLowerCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw ApiException.unauthorized("The webhook signature is not hex.");
        }
        if (!MessageDigest.isEqual(hmac(secret, body), given)) {
            throw ApiException.unauthorized("The webhook signature does not match the body: check that the forge's secret is the one in"
                    + " GURURMM_PIPELINE_SECRET_FILE.");
        }
        String event = header.apply(source.equals("github") ? "X-GitHub-Event" : "X-Gitea-Event");
        String delivery = header.apply(source.equals("github") ? "X-GitHub-Delivery" : "X-Gitea-Delivery");
        if (delivery == null || !DELIVERY.matcher(delivery).matches()) {
            throw ApiException.badRequest("The webhook has no usable delivery id (X-GitHub-Delivery or X-Gitea-Delivery, at most 200"
                    + " letters, digits and . _ : -); it is needed to refuse replays.");
        }
        return new Delivery(source, event == null ? "" : event, delivery, body);
    }

    static byte[] hmac(byte[] secret, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            return mac.doFinal(body);
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
        }
    }

    /** Reads a verified push event's body: the same fields in GitHub's and Gitea's payloads. */
    static Push push(byte[] body) {
        JsonNode root;
        try {
            root = Json.mapper().readTree(new String(body, StandardCharsets.UTF_8));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw ApiException.badRequest("The push payload is not JSON: " + e.getOriginalMessage());
        }
        if (root == null || !root.isObject()) {
            throw ApiException.badRequest("The push payload must be a JSON object.");
        }
        String ref = text(root, "ref");
        String after = text(root, "after");
        if (ref == null || ref.length() > 255) {
            throw ApiException.badRequest("The push payload has no 'ref' (e.g. refs/heads/main).");
        }
        boolean deleted = root.path("deleted").asBoolean(false) || ZERO_SHA.equals(after);
        if (!deleted && (after == null || !HEX_SHA1.matcher(after).matches())) {
            throw ApiException.badRequest("The push payload's 'after' must be the pushed commit's 40-digit hex id.");
        }
        String before = text(root, "before");
        if (before != null && (!HEX_SHA1.matcher(before).matches() || ZERO_SHA.equals(before))) {
            before = null;
        }
        String pusher = text(root.path("pusher"), "name");
        if (pusher == null) {
            pusher = text(root.path("pusher"), "login");
        }
        if (pusher == null) {
            pusher = text(root.path("pusher"), "username");
        }
        if (pusher != null) {
            pusher = pusher.replaceAll("\\p{Cntrl}", "");
        }
        if (pusher != null && pusher.length() > 200) {
            pusher = pusher.substring(0, 200);
        }
        return new Push(ref, after, before, deleted, pusher);
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value != null && value.isTextual() && !value.asText().contains("\u0000") ? value.asText() : null;
    }
}
