package com.gururmm.agent.platform.windows;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class CommandLineTest {
    @Test
    void plainArgumentsAreNotQuoted() {
        assertThat(CommandLine.of(List.of("C:\\Windows\\System32\\cmd.exe", "/d", "/c", "C:\\work\\script.cmd")))
                .isEqualTo("C:\\Windows\\System32\\cmd.exe /d /c C:\\work\\script.cmd");
    }

    @Test
    void programWithSpacesIsQuotedWithoutEscapes() {
        assertThat(CommandLine.of(List.of("C:\\Program Files\\Python\\python.exe", "x.py")))
                .isEqualTo("\"C:\\Program Files\\Python\\python.exe\" x.py");
    }

    @Test
    void escapesFollowTheMicrosoftRules() {
        assertThat(CommandLine.of(List.of("p", ""))).isEqualTo("p \"\"");
        assertThat(CommandLine.of(List.of("p", "a b"))).isEqualTo("p \"a b\"");
        assertThat(CommandLine.of(List.of("p", "say \"hi\""))).isEqualTo("p \"say \\\"hi\\\"\"");
        // a directory with a space and a trailing backslash: the backslash must be doubled
        assertThat(CommandLine.of(List.of("p", "C:\\my dir\\"))).isEqualTo("p \"C:\\my dir\\\\\"");
        // backslashes before a quote are doubled, plus one for the quote
        assertThat(CommandLine.of(List.of("p", "a\\\"b"))).isEqualTo("p \"a\\\\\\\"b\"");
        // backslashes not next to a quote stay single, even inside quotes
        assertThat(CommandLine.of(List.of("p", "C:\\a b\\c"))).isEqualTo("p \"C:\\a b\\c\"");
    }

    @Test
    void everyArgumentRoundTripsThroughTheParser() {
        List<String> tricky = List.of("", " ", "a", "a b", "\"", "\"\"", "\\", "\\\\", "a\\", "a b\\", "a\\\\b c",
                "\\\"", "x\\\\\"y z", "tab\there", "new\nline", "ünïcödé ✓ 日本", "-File", "C:\\Users\\Jo Doe\\AppData\\Local\\Temp\\",
                "'single' and \"double\"", "trailing space ");
        for (String arg : tricky) {
            List<String> argv = List.of("C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe", "-NoProfile", arg, "last");
            assertThat(parse(CommandLine.of(argv))).as("argument [%s]", arg).isEqualTo(argv);
        }
    }

    @Test
    void refusesWhatCannotBeExpressed() {
        assertThatThrownBy(() -> CommandLine.of(List.of())).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> CommandLine.of(List.of("C:\\a\"b.exe"))).isInstanceOf(IllegalArgumentException.class);
    }

    /**
     * An independent implementation of CommandLineToArgvW's documented parsing (program name
     * first: up to the next unquoted space, quotes only toggle; then the escape rules), used as
     * the oracle for the quoting above.
     */
    static List<String> parse(String line) {
        List<String> args = new ArrayList<>();
        int i = 0;
        StringBuilder program = new StringBuilder();
        boolean quoted = false;
        for (; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c == '"') {
                quoted = !quoted;
            } else if ((c == ' ' || c == '\t') && !quoted) {
                break;
            } else {
                program.append(c);
            }
        }
        args.add(program.toString());
        while (true) {
            while (i < line.length() && (line.charAt(i) == ' ' || line.charAt(i) == '\t')) {
                i++;
            }
            if (i >= line.length()) {
                return args;
            }
            StringBuilder arg = new StringBuilder();
            boolean inQuotes = false;
            while (i < line.length()) {
                char c = line.charAt(i);
                if (c == '\\') {
                    int start = i;
                    while (i < line.length() && line.charAt(i) == '\\') {
                        i++;
                    }
                    int n = i - start;
                    if (i < line.length() && line.charAt(i) == '"') {
                        arg.repeat('\\', n / 2);
                        if (n % 2 == 1) {
                            arg.append('"');
                            i++;
                        }
                    } else {
                        arg.repeat('\\', n);
                    }
                    continue;
                }
                if (c == '"') {
                    if (inQuotes && i + 1 < line.length() && line.charAt(i + 1) == '"') {
                        arg.append('"'); // "" inside quotes is a literal quote (post-2008 CRT rule)
                        i += 2;
                        continue;
                    }
                    inQuotes = !inQuotes;
                    i++;
                    continue;
                }
                if ((c == ' ' || c == '\t') && !inQuotes) {
                    break;
                }
                arg.append(c);
                i++;
            }
            args.add(arg.toString());
        }
    }
}
