package com.gururmm.cli;

import com.gururmm.client.GuruApiException;
import com.gururmm.protocol.text.ControlChars;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.ParseResult;

/**
 * Turns every failure into one line on stderr and an exit code (docs/CLI.md). Stack traces
 * are for developers: only {@code --debug} shows them.
 */
final class ErrorReporter implements CommandLine.IExecutionExceptionHandler, CommandLine.IParameterExceptionHandler {

    /** Bad options or arguments: the problem and where to read more, on one line. */
    @Override
    public int handleParseException(CommandLine.ParameterException e, String[] args) {
        CommandLine command = e.getCommandLine();
        PrintWriter err = command.getErr();
        String message = e.getMessage().endsWith(".") ? e.getMessage() : e.getMessage() + ".";
        err.println("gururmm: " + ControlChars.escape(message) + " See '" + command.getCommandSpec().qualifiedName() + " --help'.");
        err.flush();
        return ExitCode.USAGE;
    }

    @Override
    public int handleExecutionException(Exception e, CommandLine command, ParseResult parseResult) {
        PrintWriter err = command.getErr();
        if (debug(parseResult)) {
            e.printStackTrace(err);
        }
        int code = switch (e) {
            case CliException cli -> report(err, cli.getMessage(), cli.exitCode());
            case GuruApiException api -> report(err, describe(api), exitCode(api));
            default -> report(err, "unexpected error: " + e + (debug(parseResult) ? "" : " (run again with --debug for details)"),
                    ExitCode.INTERNAL);
        };
        err.flush();
        return code;
    }

    private static int report(PrintWriter err, String message, int code) {
        // One line, even when a message spans several: line breaks and every other control
        // character (ESC, BEL, bidi overrides from a hostname or a server message) are escaped
        // visibly, so a hostname cannot forge a second line or drive the terminal.
        err.println("gururmm: " + ControlChars.escape(message.strip()));
        return code;
    }

    private static String describe(GuruApiException e) {
        return switch (e.status()) {
            case 0 -> e.getMessage() + " Check the URL and that the server is running.";
            case 401 -> "the server rejected your login: " + e.getMessage() + " Run 'gururmm login' to log in again.";
            default -> "the server refused the request (" + e.status() + " " + e.code() + "): " + e.getMessage();
        };
    }

    private static int exitCode(GuruApiException e) {
        return switch (e.status()) {
            case 0 -> ExitCode.UNREACHABLE;
            case 401 -> ExitCode.NOT_LOGGED_IN;
            default -> ExitCode.API_ERROR;
        };
    }

    /** {@code --debug} is inherited by every subcommand, so look for it at every level. */
    private static boolean debug(ParseResult result) {
        for (ParseResult level = result; level != null; level = level.subcommand()) {
            if (level.hasMatchedOption("--debug")) {
                return true;
            }
        }
        return false;
    }
}
