package com.gururmm.cli.output;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.gururmm.cli.Terminal;
import com.gururmm.protocol.Json;
import java.io.PrintWriter;
import java.util.function.Supplier;
import picocli.CommandLine.Option;

/**
 * Mixin giving a command {@code -o/--output table|json} and the writer for its results.
 * JSON is the API's own representation (same field names), so scripts written against
 * the REST API and against the CLI read the same thing. Control characters in it are
 * <code>&#92;uXXXX</code> escapes ({@link JsonEscapes}), so it is exact JSON and terminal-safe at once.
 */
public final class Output {
    private static final ObjectWriter JSON = Json.mapper().writerWithDefaultPrettyPrinter().with(new JsonEscapes());

    private final Terminal terminal;

    @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", defaultValue = "table",
            description = "table (for people) or json (for scripts; the API's field names). Default: ${DEFAULT-VALUE}.")
    private OutputFormat format = OutputFormat.table;

    public Output(Terminal terminal) {
        this.terminal = terminal;
    }

    public boolean isJson() {
        return format == OutputFormat.json;
    }

    /** Prints {@code value} as JSON, or the table built by {@code table}. */
    public void print(Object value, Supplier<Table> table) {
        if (isJson()) {
            json(value);
        } else {
            table.get().print(out());
        }
        out().flush();
    }

    public void json(Object value) {
        try {
            out().println(JSON.writeValueAsString(value));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot encode output", e);
        }
        out().flush();
    }

    /** Whether stdout is a terminal, where a script's output is printed escaped ({@link RemoteOutput}). */
    public boolean outIsTerminal() {
        return terminal.outIsTerminal();
    }

    public PrintWriter out() {
        return terminal.out();
    }

    public PrintWriter err() {
        return terminal.err();
    }
}
