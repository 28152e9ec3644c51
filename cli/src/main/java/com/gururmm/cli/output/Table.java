package com.gururmm.cli.output;

import com.gururmm.protocol.text.ControlChars;
import java.io.PrintWriter;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Plain-text columns padded to their widest cell, like {@code kubectl get}: easy to read
 * and still easy to {@code grep}/{@code awk}. Null cells print as {@code -}.
 *
 * <p>Cells are mostly text an agent or the server chose (hostnames, users, errors), so every
 * cell goes through {@link ControlChars#escape}: a hostname with ESC, CR or LF can neither
 * drive the terminal nor add a forged row.
 */
public final class Table {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss'Z'").withZone(ZoneOffset.UTC);

    private final List<String> headers;
    private final List<List<String>> rows = new ArrayList<>();

    private Table(List<String> headers) {
        this.headers = headers;
    }

    public static Table of(String... headers) {
        return new Table(List.of(headers));
    }

    /** A two-column "FIELD value" listing for one object, with no header line. */
    public static Table fields() {
        return new Table(List.of());
    }

    public Table row(Object... cells) {
        rows.add(Arrays.stream(cells).map(Table::cell).toList());
        return this;
    }

    public static String cell(Object value) {
        return switch (value) {
            case null -> "-";
            case Instant instant -> TIME.format(instant);
            case List<?> list -> list.isEmpty() ? "-" : String.join(", ", list.stream().map(Table::cell).toList());
            default -> ControlChars.escape(value.toString());
        };
    }

    public void print(PrintWriter out) {
        List<List<String>> all = new ArrayList<>();
        if (!headers.isEmpty()) {
            all.add(headers);
        }
        all.addAll(rows);
        int columns = all.stream().mapToInt(List::size).max().orElse(0);
        int[] widths = new int[columns];
        for (List<String> row : all) {
            for (int i = 0; i < row.size(); i++) {
                widths[i] = Math.max(widths[i], row.get(i).length());
            }
        }
        for (List<String> row : all) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < row.size(); i++) {
                boolean last = i == row.size() - 1;
                line.append(last ? row.get(i) : String.format("%-" + widths[i] + "s  ", row.get(i)));
            }
            out.println(line.toString().stripTrailing());
        }
    }
}
