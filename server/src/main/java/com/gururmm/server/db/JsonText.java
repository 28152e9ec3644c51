package com.gururmm.server.db;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.gururmm.protocol.Json;
import java.util.List;

/** JSON documents kept in TEXT columns (portable between H2 and PostgreSQL). */
public final class JsonText {
    private static final TypeReference<List<String>> STRING_LIST = new TypeReference<>() {
    };

    private JsonText() {
    }

    public static String write(Object value) {
        if (value == null) {
            return null;
        }
        try {
            return Json.mapper().writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    public static <T> T read(String text, Class<T> type) {
        if (text == null || text.isEmpty()) {
            return null;
        }
        try {
            return Json.mapper().readValue(text, type);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored JSON is unreadable: " + e.getOriginalMessage(), e);
        }
    }

    public static List<String> readStrings(String text) {
        if (text == null || text.isEmpty()) {
            return List.of();
        }
        try {
            return Json.mapper().readValue(text, STRING_LIST);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored JSON is unreadable: " + e.getOriginalMessage(), e);
        }
    }
}
