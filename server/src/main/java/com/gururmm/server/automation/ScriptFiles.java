package com.gururmm.server.automation;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.gururmm.protocol.api.Scripts.Parameter;
import com.gururmm.protocol.api.Scripts.ScriptRequest;
import com.gururmm.protocol.api.Scripts.ScriptView;
import com.gururmm.server.http.ApiException;
import java.util.ArrayList;
import java.util.List;

/**
 * Scripts as plain files, so a library can live in git: the script text as it runs, with its
 * settings as YAML front matter in comment lines of the script's own language (so the file
 * still runs as is), between two {@code ---} lines:
 *
 * <pre>
 * #!/bin/bash            (a shebang, if the script has one, stays the first line)
 * # ---
 * # name: Disk cleanup
 * # command_type: bash
 * # parameters:
 * # - name: path
 * #   type: string
 * #   required: true
 * # ---
 * rm -rf -- "$GURURMM_PARAM_PATH"/cache
 * </pre>
 *
 * The prefix is {@code # } for bash, sh, python and powershell and {@code REM } for cmd. The
 * body after the closing line is kept byte for byte, so export then import is the identity.
 */
final class ScriptFiles {
    private static final ObjectMapper YAML = new ObjectMapper(YAMLFactory.builder()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
            .enable(YAMLGenerator.Feature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS)
            .build())
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .setSerializationInclusion(JsonInclude.Include.NON_EMPTY)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    static final int MAX_FILE_BYTES = 2 * 1024 * 1024;

    private ScriptFiles() {
    }

    /** The front matter's fields; {@code version} is informational (which version was exported). */
    record Header(String name, String description, String category, String commandType, Integer timeoutSeconds, String context,
                  List<String> supportedOs, List<Parameter> parameters, Integer version) {
    }

    static String prefix(String commandType) {
        return "cmd".equals(commandType) ? "REM " : "# ";
    }

    static String export(ScriptView s) {
        String prefix = prefix(s.commandType());
        String yaml;
        try {
            yaml = YAML.writeValueAsString(new Header(s.name(), s.description(), s.category(), s.commandType(), s.timeoutSeconds(),
                    s.context(), s.supportedOs(), s.parameters(), s.version()));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        StringBuilder out = new StringBuilder();
        String body = s.command();
        if (body.startsWith("#!")) {
            int end = body.indexOf('\n');
            out.append(end < 0 ? body + "\n" : body.substring(0, end + 1));
            body = end < 0 ? "" : body.substring(end + 1);
        }
        out.append(prefix).append("---\n");
        for (String line : yaml.split("\n", -1)) {
            if (!line.isEmpty()) {
                out.append(prefix).append(line).append('\n');
            }
        }
        out.append(prefix).append("---\n");
        out.append(body);
        return out.toString();
    }

    /** Parses a file made by {@link #export} (or by hand in that shape) into a request. */
    static ScriptRequest parse(String file) {
        if (file == null || file.isBlank()) {
            throw ApiException.badRequest("The script file is empty; it needs a front matter block ('# ---' ... '# ---') with at least 'name' and 'command_type'.");
        }
        // Line ends are left as they are (a cmd script's CRLF body stays CRLF); header lines may end in CR.
        String text = file;
        String shebang = "";
        if (text.startsWith("#!")) {
            int end = text.indexOf('\n');
            if (end < 0) {
                throw ApiException.badRequest("The script file has only a shebang line; the front matter block must follow it.");
            }
            shebang = text.substring(0, end + 1);
            text = text.substring(end + 1);
        }
        String first = cr(text.lines().findFirst().orElse(""));
        String prefix = first.equals("REM ---") ? "REM " : first.equals("# ---") ? "# " : null;
        if (prefix == null) {
            throw ApiException.badRequest("The script file does not start with a front matter line '# ---' (or 'REM ---' for cmd)"
                    + (shebang.isEmpty() ? "" : " after its shebang") + "; export a script (gururmm scripts export) to see the format.");
        }
        String[] lines = text.split("\n", -1);
        List<String> yaml = new ArrayList<>();
        int consumed = lines[0].length() + 1;
        boolean closed = false;
        for (int i = 1; i < lines.length && !closed; i++) {
            consumed += lines[i].length() + 1;
            String line = cr(lines[i]);
            if (line.equals(prefix + "---")) {
                closed = true;
            } else if (line.startsWith(prefix) || line.equals(prefix.strip())) {
                yaml.add(line.length() <= prefix.length() ? "" : line.substring(prefix.length()));
            } else {
                throw ApiException.badRequest("Front matter line " + (i + 1) + " does not start with '" + prefix
                        + "'; every line up to the closing '" + prefix + "---' must (is the block not closed?).");
            }
        }
        if (!closed) {
            throw ApiException.badRequest("The front matter block is not closed: add a line '" + prefix + "---' before the script text.");
        }
        Header header;
        try {
            header = YAML.readValue(String.join("\n", yaml), Header.class);
        } catch (JsonProcessingException e) {
            throw ApiException.badRequest("The front matter is not valid YAML for a script: " + e.getOriginalMessage());
        }
        if (header == null) {
            throw ApiException.badRequest("The front matter is empty; it needs at least 'name' and 'command_type'.");
        }
        String body = shebang + (consumed >= text.length() ? "" : text.substring(consumed));
        return new ScriptRequest(header.name(), header.description(), header.category(), header.commandType(), body, header.parameters(),
                header.timeoutSeconds(), header.context(), header.supportedOs());
    }

    private static String cr(String line) {
        return line.endsWith("\r") ? line.substring(0, line.length() - 1) : line;
    }

    /** A file-system friendly name for an exported script. */
    static String fileName(ScriptView s) {
        String base = s.name().toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("(^-+|-+$)", "");
        String ext = switch (s.commandType()) {
            case "powershell" -> ".ps1";
            case "cmd" -> ".cmd";
            case "python" -> ".py";
            default -> ".sh";
        };
        return (base.isEmpty() ? "script" : base) + ext;
    }
}
