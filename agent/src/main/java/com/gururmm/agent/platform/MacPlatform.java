package com.gururmm.agent.platform;

import com.gururmm.protocol.CommandType;
import com.gururmm.protocol.ExecutionContext;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** macOS: IOPlatformUUID as machine id; the console user for {@code user_session}. */
final class MacPlatform extends UnixPlatform {
    private static final List<String> EXTRA_DIRS = List.of("/usr/local/bin", "/opt/homebrew/bin", "/usr/bin", "/bin");
    private static final Pattern PLATFORM_UUID = Pattern.compile("\"IOPlatformUUID\"\\s*=\\s*\"([^\"]+)\"");

    @Override
    public com.gururmm.agent.inventory.os.OsInventory osInventory() {
        return new com.gururmm.agent.inventory.os.MacInventory(java.nio.file.Path.of("/Applications"));
    }

    @Override
    public String os() {
        return "macos";
    }

    @Override
    public String machineUid() {
        return HostCommands.output(List.of("ioreg", "-rd1", "-c", "IOPlatformExpertDevice"))
                .map(PLATFORM_UUID::matcher)
                .filter(Matcher::find)
                .map(m -> m.group(1))
                .orElse(null);
    }

    @Override
    public ShellLaunch shell(ExecutionContext context) throws CommandRefusedException {
        if (context == ExecutionContext.SYSTEM) {
            return Unix.systemShell();
        }
        return Unix.userShell(consoleUser(), Map.of());
    }

    private static Launch.SessionUser consoleUser() throws CommandRefusedException {
        String console = HostCommands.output(List.of("stat", "-f", "%Su", "/dev/console")).map(String::trim).orElse("");
        if (console.isEmpty() || console.equals("root") || console.equals("loginwindow")) {
            throw new CommandRefusedException("No logged-on user: nobody is logged in at the console of this Mac, so user_session cannot run.");
        }
        return Unix.lookupUser(console).orElseThrow(() ->
                new CommandRefusedException("The console user " + console + " could not be looked up, so user_session cannot run."));
    }

    @Override
    public Launch launch(CommandType type, ExecutionContext context, Path script) throws CommandRefusedException {
        List<String> argv = Unix.interpreter(type, script, "macos", EXTRA_DIRS);
        if (context == ExecutionContext.SYSTEM) {
            return new Launch(argv, Map.of(), null);
        }
        String console = HostCommands.output(List.of("stat", "-f", "%Su", "/dev/console")).map(String::trim).orElse("");
        if (console.isEmpty() || console.equals("root") || console.equals("loginwindow")) {
            throw new CommandRefusedException("No logged-on user: nobody is logged in at the console of this Mac, so user_session cannot run.");
        }
        Optional<Launch.SessionUser> user = Unix.lookupUser(console);
        if (user.isEmpty()) {
            throw new CommandRefusedException("The console user " + console + " could not be looked up, so user_session cannot run.");
        }
        return Unix.asUser(argv, user.get(), Map.of());
    }
}
