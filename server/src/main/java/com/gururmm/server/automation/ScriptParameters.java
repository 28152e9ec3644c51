package com.gururmm.server.automation;

import com.gururmm.protocol.api.Scripts;
import com.gururmm.protocol.api.Scripts.Parameter;
import com.gururmm.server.http.ApiException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * A script's typed parameters: checks their definitions when a script is saved, and a run's
 * values before anything runs (unknown name, missing required value, wrong JSON type, a choice
 * outside its options: a 400 naming {@code parameters.<name>}).
 *
 * <p>A value reaches the script as the environment variable {@code GURURMM_PARAM_<NAME>}
 * (the name upper-cased) holding its text: strings and choices as given, numbers in plain
 * decimal ({@code 42}, {@code 2.5}), booleans as {@code true}/{@code false}. It is never put
 * into the script text, so quotes, newlines or {@code $(...)} in a value are data, not code.
 */
final class ScriptParameters {
    static final int MAX_PARAMETERS = 50;
    static final int MAX_VALUE_CHARS = 16 * 1024;
    /** All values of one run together; environment blocks are limited (32 K chars per variable on Windows). */
    static final int MAX_TOTAL_BYTES = 64 * 1024;
    private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,63}");

    private ScriptParameters() {
    }

    /** The variable a parameter arrives in. */
    static String variable(String name) {
        return Scripts.ENV_PREFIX + name.toUpperCase(Locale.ROOT);
    }

    /** Checks and normalises definitions (type lower-case, {@code required} false when absent). */
    static List<Parameter> define(List<Parameter> parameters) {
        if (parameters == null) {
            return List.of();
        }
        if (parameters.size() > MAX_PARAMETERS) {
            throw ApiException.badRequest("Field 'parameters' has " + parameters.size() + " entries; at most " + MAX_PARAMETERS + ".");
        }
        List<Parameter> out = new ArrayList<>();
        Set<String> variables = new HashSet<>();
        for (int i = 0; i < parameters.size(); i++) {
            Parameter p = parameters.get(i);
            String at = "parameters[" + i + "]";
            if (p == null) {
                throw ApiException.badRequest("Field '" + at + "' is null; each parameter is an object with 'name' and 'type'.");
            }
            if (p.name() == null || !NAME.matcher(p.name()).matches()) {
                throw ApiException.badRequest("Field '" + at + ".name' must be 1-64 letters, digits or '_' (not starting with a digit); got "
                        + (p.name() == null ? "nothing" : "'" + clip(p.name()) + "'") + ".");
            }
            at = "parameters." + p.name();
            if (!variables.add(variable(p.name()))) {
                throw ApiException.badRequest("Field '" + at + "' is defined twice (names are compared case-insensitively: both would be "
                        + variable(p.name()) + ").");
            }
            String type = p.type() == null ? null : p.type().toLowerCase(Locale.ROOT);
            if (type == null || !Scripts.PARAMETER_TYPES.contains(type)) {
                throw ApiException.badRequest("Field '" + at + ".type' must be one of " + Scripts.PARAMETER_TYPES + "; got "
                        + (p.type() == null ? "nothing" : "'" + clip(p.type()) + "'") + ".");
            }
            List<String> options = null;
            if (type.equals("choice")) {
                if (p.options() == null || p.options().isEmpty()) {
                    throw ApiException.badRequest("Field '" + at + ".options' is required for a choice: the list of allowed values.");
                }
                if (p.options().size() > 100 || p.options().stream().anyMatch(o -> o == null || o.isEmpty() || o.length() > 200)
                        || new HashSet<>(p.options()).size() != p.options().size()) {
                    throw ApiException.badRequest("Field '" + at + ".options' must be 1-100 distinct, non-empty values of at most 200 characters.");
                }
                options = List.copyOf(p.options());
            } else if (p.options() != null && !p.options().isEmpty()) {
                throw ApiException.badRequest("Field '" + at + ".options' is only for type choice (this one is " + type + ").");
            }
            if (p.description() != null && p.description().length() > 500) {
                throw ApiException.badRequest("Field '" + at + ".description' is longer than 500 characters.");
            }
            Parameter normal = new Parameter(p.name(), type, Boolean.TRUE.equals(p.required()), null, options, p.description());
            Object defaultValue = null;
            if (p.defaultValue() != null) {
                text(normal, p.defaultValue(), at + ".default");
                defaultValue = p.defaultValue();
            }
            out.add(new Parameter(p.name(), type, normal.required(), defaultValue, options, p.description()));
        }
        return List.copyOf(out);
    }

    /**
     * A run's values checked against {@code definitions}, defaults filled in: parameter name to
     * the text its variable holds (absent optional parameters without a default are left out).
     */
    static Map<String, String> values(List<Parameter> definitions, Map<String, Object> given) {
        Map<String, Object> values = given == null ? Map.of() : given;
        Map<String, Parameter> byName = new LinkedHashMap<>();
        definitions.forEach(d -> byName.put(d.name(), d));
        for (String name : values.keySet()) {
            if (!byName.containsKey(name)) {
                throw ApiException.badRequest("Field 'parameters." + clip(name) + "': the script has no such parameter"
                        + (byName.isEmpty() ? " (it takes none)" : "; it takes " + byName.keySet()) + ".");
            }
        }
        Map<String, String> out = new TreeMap<>();
        int bytes = 0;
        for (Parameter d : definitions) {
            Object value = values.get(d.name());
            if (value == null) {
                value = d.defaultValue();
            }
            if (value == null) {
                if (d.required()) {
                    throw ApiException.badRequest("Field 'parameters." + d.name() + "' is required (" + d.type() + ") and has no default.");
                }
                continue;
            }
            String text = text(d, value, "parameters." + d.name());
            bytes += text.getBytes(StandardCharsets.UTF_8).length;
            out.put(d.name(), text);
        }
        if (bytes > MAX_TOTAL_BYTES) {
            throw ApiException.badRequest("Field 'parameters' holds " + bytes + " bytes; at most " + MAX_TOTAL_BYTES
                    + " in total. Pass large data as a file the script fetches.");
        }
        return out;
    }

    /** Stored texts (from {@link #values}) back as typed values, so they can be checked again (against another version). */
    static Map<String, Object> typed(List<Parameter> definitions, Map<String, String> texts) {
        Map<String, Object> out = new LinkedHashMap<>();
        Map<String, String> types = new java.util.HashMap<>();
        definitions.forEach(d -> types.put(d.name(), d.type()));
        texts.forEach((name, text) -> out.put(name, switch (types.getOrDefault(name, "string")) {
            case "number" -> new BigDecimal(text);
            case "boolean" -> Boolean.parseBoolean(text);
            default -> text;
        }));
        return out;
    }

    /** The environment of a run: {@code GURURMM_PARAM_<NAME>} per value. */
    static Map<String, String> environment(Map<String, String> values) {
        Map<String, String> env = new TreeMap<>();
        values.forEach((name, text) -> env.put(variable(name), text));
        return env;
    }

    private static String text(Parameter d, Object value, String field) {
        return switch (d.type()) {
            case "string" -> {
                if (!(value instanceof String s)) {
                    throw wrongType(field, "a string", value);
                }
                if (s.length() > MAX_VALUE_CHARS) {
                    throw ApiException.badRequest("Field '" + field + "' is longer than " + MAX_VALUE_CHARS + " characters.");
                }
                if (s.indexOf('\0') >= 0) {
                    throw ApiException.badRequest("Field '" + field + "' contains a NUL character (U+0000); an environment variable cannot hold one.");
                }
                yield s;
            }
            case "number" -> switch (value) {
                case Integer n -> n.toString();
                case Long n -> n.toString();
                case BigInteger n -> n.toString();
                case BigDecimal n -> n.stripTrailingZeros().toPlainString();
                case Double n when Double.isFinite(n) -> BigDecimal.valueOf(n).stripTrailingZeros().toPlainString();
                case Float n when Float.isFinite(n) -> new BigDecimal(n.toString()).stripTrailingZeros().toPlainString();
                default -> throw wrongType(field, "a number", value);
            };
            case "boolean" -> {
                if (!(value instanceof Boolean b)) {
                    throw wrongType(field, "true or false", value);
                }
                yield b.toString();
            }
            case "choice" -> {
                if (!(value instanceof String s) || !d.options().contains(s)) {
                    throw ApiException.badRequest("Field '" + field + "' must be one of " + d.options() + "; got " + describe(value) + ".");
                }
                yield s;
            }
            default -> throw new IllegalStateException("unknown parameter type " + d.type());
        };
    }

    private static ApiException wrongType(String field, String expected, Object value) {
        return ApiException.badRequest("Field '" + field + "' must be " + expected + "; got " + describe(value) + ".");
    }

    private static String describe(Object value) {
        return switch (value) {
            case String s -> "the string '" + clip(s) + "'";
            case Number n -> "the number " + n;
            case Boolean b -> b.toString();
            case List<?> l -> "a list";
            case Map<?, ?> m -> "an object";
            default -> "a " + value.getClass().getSimpleName();
        };
    }

    private static String clip(String text) {
        String one = text.replaceAll("[\\p{Cntrl}]", "?");
        return one.length() > 60 ? one.substring(0, 60) + "..." : one;
    }
}
