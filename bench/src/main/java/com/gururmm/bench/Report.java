package com.gururmm.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;

/**
 * One scenario's figures: printed as a table and appended to {@code docs/BENCHMARKS.md} with
 * the date, the machine and its load, because on a shared machine a figure without its load
 * average is not comparable to anything.
 */
final class Report {
    private record Row(String metric, String value, String target, String verdict) {
    }

    private final String title;
    private final String command;
    private final String loadBefore = loadAverage();
    private final List<Row> rows = new ArrayList<>();
    private final List<String> notes = new ArrayList<>();

    Report(String title, String command) {
        this.title = title;
        this.command = command;
    }

    void add(String metric, String value) {
        rows.add(new Row(metric, value, "", ""));
    }

    /** A figure with a target; {@code met} decides the verdict column. */
    void add(String metric, String value, String target, boolean met) {
        rows.add(new Row(metric, value, target, met ? "met" : "MISSED"));
    }

    void note(String text) {
        notes.add(text);
    }

    static String ms(double millis) {
        return millis >= 100 ? String.format("%.0f ms", millis) : String.format("%.2f ms", millis);
    }

    static String mib(long bytes) {
        return String.format("%.1f MiB", bytes / 1048576.0);
    }

    String markdown() {
        StringBuilder out = new StringBuilder();
        out.append("\n### ").append(title).append(" — ")
                .append(ZonedDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'"))).append("\n\n");
        out.append("`").append(command).append("` on ").append(machine()).append("; load average before ")
                .append(loadBefore).append(", after ").append(loadAverage()).append(".\n\n");
        out.append("| metric | value | target | verdict |\n| --- | --- | --- | --- |\n");
        for (Row r : rows) {
            out.append("| ").append(r.metric()).append(" | ").append(r.value()).append(" | ").append(r.target())
                    .append(" | ").append(r.verdict()).append(" |\n");
        }
        for (String n : notes) {
            out.append("\n").append(n).append("\n");
        }
        return out.toString();
    }

    /** Prints the table and appends it to {@code doc} (if not null). */
    void publish(Path doc) throws IOException {
        String text = markdown();
        System.out.println(text);
        if (doc != null) {
            Files.writeString(doc, text, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            System.out.println("appended to " + doc);
        }
    }

    static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException e) {
            return "unknown";
        }
    }

    static String machine() {
        long memKb = 0;
        try {
            for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (line.startsWith("MemTotal:")) {
                    memKb = Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException ignored) {
            // reported as 0
        }
        return Runtime.getRuntime().availableProcessors() + " cores, " + Math.round(memKb / 1048576.0) + " GiB, "
                + System.getProperty("os.name") + " " + System.getProperty("os.version") + ", Java " + System.getProperty("java.version");
    }
}
