package com.gururmm.cli.run;

import com.gururmm.cli.CliException;
import com.gururmm.cli.Terminal;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import picocli.CommandLine.Option;

/** Where the script comes from: {@code --command}, {@code --file} or (neither) stdin. */
final class ScriptOptions {
    @Option(names = {"-c", "--command"}, paramLabel = "SCRIPT", required = true, description = "The script text.")
    String command;

    @Option(names = {"-f", "--file"}, paramLabel = "FILE", required = true, description = "Read the script from FILE.")
    Path file;

    /** The script text; reads stdin when no group option was given ({@code options} is null). */
    static String read(ScriptOptions options, Terminal terminal) {
        String text;
        if (options != null && options.command != null) {
            text = options.command;
        } else if (options != null && options.file != null) {
            text = readFile(options.file);
        } else {
            if (terminal.interactive()) {
                terminal.err().println("Reading the script from stdin; finish with Ctrl-D.");
                terminal.err().flush();
            }
            try {
                text = new String(terminal.in().readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw CliException.usage("Cannot read the script from stdin: " + e.getMessage());
            }
        }
        if (text.isBlank()) {
            throw CliException.usage("The script is empty; give it with --command, --file or on stdin.");
        }
        return text;
    }

    private static String readFile(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw CliException.usage("Script file '" + file + "' does not exist.");
        } catch (IOException e) {
            throw CliException.usage("Cannot read script file '" + file + "': " + e.getMessage());
        }
    }

    /** The interpreter a file's extension implies, so {@code --file fix.ps1} needs no {@code --type}. */
    static Optional<String> typeFromFile(ScriptOptions options) {
        if (options == null || options.file == null) {
            return Optional.empty();
        }
        String name = options.file.getFileName().toString().toLowerCase(Locale.ROOT);
        String extension = name.contains(".") ? name.substring(name.lastIndexOf('.') + 1) : "";
        return Optional.ofNullable(switch (extension) {
            case "ps1" -> "powershell";
            case "sh", "bash" -> "bash";
            case "py" -> "python";
            case "cmd", "bat" -> "cmd";
            default -> null;
        });
    }
}
