package com.gururmm.server.routing;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code GET /api/openapi.json}: an OpenAPI 3.1 description generated from the {@link RouteTable},
 * so it lists exactly the routes the server has and, for each, who may call it
 * ({@code x-gururmm-access}). Request and response schemas are documented in SPEC and docs/.
 */
final class OpenApiDocument {
    private static final Pattern PATH_PARAM = Pattern.compile("\\{([^}]+)}");

    private OpenApiDocument() {
    }

    static Map<String, Object> of(List<RouteTable.Route> routes, String version) {
        Map<String, Object> paths = new LinkedHashMap<>();
        for (RouteTable.Route route : routes) {
            @SuppressWarnings("unchecked")
            Map<String, Object> item = (Map<String, Object>) paths.computeIfAbsent(route.path(), p -> new LinkedHashMap<>());
            Map<String, Object> operation = new LinkedHashMap<>();
            operation.put("summary", route.summary());
            operation.put("x-gururmm-access", route.rule().describe());
            if (!route.rule().isOpen()) {
                List<Object> security = new ArrayList<>(List.of(Map.of("bearer", List.of())));
                if (route.rule().agentCredential()) {
                    security.add(Map.of("agentCredential", List.of()));
                }
                operation.put("security", security);
            } else {
                operation.put("security", List.of());
            }
            List<Object> parameters = new ArrayList<>();
            Matcher m = PATH_PARAM.matcher(route.path());
            while (m.find()) {
                parameters.add(Map.of("name", m.group(1), "in", "path", "required", true, "schema", Map.of("type", "string")));
            }
            if (!parameters.isEmpty()) {
                operation.put("parameters", parameters);
            }
            operation.put("responses", Map.of("default", Map.of("description",
                    "JSON; errors are {\"error\": code, \"message\": text} (SPEC section 3)")));
            item.put(route.method().toLowerCase(), operation);
        }
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("openapi", "3.1.0");
        doc.put("info", Map.of("title", "GuruRMM API", "version", version));
        doc.put("components", Map.of("securitySchemes", Map.of(
                "bearer", Map.of("type", "http", "scheme", "bearer", "description",
                        "A session token from POST /api/auth/login, or an API key (grmm_key_...) from POST /api/api-keys"),
                "agentCredential", Map.of("type", "apiKey", "in", "header", "name", AccessFilter.AGENT_ID_HEADER,
                        "description", "An agent's id, with its credential as the bearer token"))));
        doc.put("paths", paths);
        return doc;
    }
}
