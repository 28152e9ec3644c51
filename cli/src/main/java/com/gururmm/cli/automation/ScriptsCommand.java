package com.gururmm.cli.automation;

import com.gururmm.cli.CliException;
import com.gururmm.cli.ExitCode;
import com.gururmm.cli.Terminal;
import com.gururmm.cli.agents.AgentResolver;
import com.gururmm.cli.config.Session;
import com.gururmm.cli.output.Output;
import com.gururmm.cli.output.Table;
import com.gururmm.client.GuruClient;
import com.gururmm.protocol.api.Batches.AgentFilter;
import com.gururmm.protocol.api.Batches.BatchResult;
import com.gururmm.protocol.api.Batches.BatchView;
import com.gururmm.protocol.api.Scripts.Parameter;
import com.gururmm.protocol.api.Scripts.RunRequest;
import com.gururmm.protocol.api.Scripts.RunSubmitted;
import com.gururmm.protocol.api.Scripts.ScriptRequest;
import com.gururmm.protocol.api.Scripts.ScriptView;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code gururmm scripts list|show|create|import|export|run|delete} over {@code /api/scripts}. */
@Command(name = "scripts", mixinStandardHelpOptions = true, description = "The script library: saved scripts with typed parameters.",
        subcommands = {ScriptsCommand.ListScripts.class, ScriptsCommand.Show.class, ScriptsCommand.Create.class, ScriptsCommand.Import.class,
                ScriptsCommand.Export.class, ScriptsCommand.Run.class, ScriptsCommand.Delete.class},
        footerHeading = "%nExamples:%n", footer = {
        "  gururmm scripts create --name 'Disk cleanup' --type bash --file cleanup.sh --param path:string:required --param days:number=7",
        "  gururmm scripts run 'Disk cleanup' --site-id 5d1c... --param path=/var/tmp --wait",
        "  gururmm scripts export 'Disk cleanup' > scripts/disk-cleanup.sh && gururmm scripts import scripts/*.sh"})
public final class ScriptsCommand {
    private ScriptsCommand() {
    }

    /** A script by id or by its exact name (case-insensitive). */
    static ScriptView resolve(GuruClient client, String idOrName) {
        try {
            return client.script(UUID.fromString(idOrName.trim()));
        } catch (IllegalArgumentException notAnId) {
            List<ScriptView> named = client.scripts(Map.of()).stream().filter(s -> s.name().equalsIgnoreCase(idOrName.trim())).toList();
            if (named.isEmpty()) {
                throw new CliException(ExitCode.USAGE, "No script is named '" + idOrName + "'; 'gururmm scripts list' shows the library.");
            }
            return named.get(0);
        }
    }

    @Command(name = "list", aliases = "ls", mixinStandardHelpOptions = true, description = "The library (current versions).")
    static final class ListScripts implements Callable<Integer> {
        @Mixin
        private Session session;
        @Mixin
        private Output output;
        @Option(names = "--category", description = "Only this category")
        private String category;
        @Option(names = "--search", description = "A word of the name or description")
        private String search;

        @Override
        public Integer call() {
            Map<String, String> q = new LinkedHashMap<>();
            q.put("category", category);
            q.put("q", search);
            List<ScriptView> scripts = session.client().scripts(q);
            output.print(scripts, () -> {
                Table t = Table.of("ID", "NAME", "TYPE", "CATEGORY", "VERSION", "PARAMETERS", "OS", "UPDATED BY");
                scripts.forEach(s -> t.row(s.id(), s.name(), s.commandType(), s.category(), s.version(),
                        String.join(",", s.parameters().stream().map(Parameter::name).toList()),
                        s.supportedOs().isEmpty() ? "any" : String.join(",", s.supportedOs()), s.updatedBy()));
                return t;
            });
            return ExitCode.OK;
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true, description = "One script with its text and parameters.")
    static final class Show implements Callable<Integer> {
        @Mixin
        private Session session;
        @Mixin
        private Output output;
        @Parameters(paramLabel = "SCRIPT", description = "Id or name")
        private String script;

        @Override
        public Integer call() {
            ScriptView s = resolve(session.client(), script);
            output.print(s, () -> {
                Table t = Table.fields().row("id", s.id()).row("name", s.name()).row("version", s.version()).row("type", s.commandType())
                        .row("context", s.context()).row("timeout", s.timeoutSeconds() + " s")
                        .row("os", s.supportedOs().isEmpty() ? "any" : String.join(",", s.supportedOs()));
                for (Parameter p : s.parameters()) {
                    t.row("param " + p.name(), p.type() + (Boolean.TRUE.equals(p.required()) ? " required" : "")
                            + (p.defaultValue() != null ? " default=" + p.defaultValue() : "") + (p.options() != null ? " " + p.options() : ""));
                }
                return t.row("command", s.command());
            });
            return ExitCode.OK;
        }
    }

    @Command(name = "create", mixinStandardHelpOptions = true, description = "Save a new script (its text from --file, --command or stdin).")
    static final class Create implements Callable<Integer> {
        private final Terminal terminal;
        @Mixin
        private Session session;
        @Mixin
        private Output output;
        @Option(names = "--name", required = true)
        private String name;
        @Option(names = {"-t", "--type"}, required = true, description = "bash, sh, powershell, cmd or python")
        private String type;
        @Option(names = "--file", description = "The script's text from this file")
        private Path file;
        @Option(names = "--command", description = "The script's text")
        private String command;
        @Option(names = "--param", paramLabel = "NAME:TYPE[:required][=DEFAULT]",
                description = "A parameter (string, number, boolean, choice/a|b|c); it reaches the script as GURURMM_PARAM_<NAME>")
        private List<String> params = new ArrayList<>();
        @Option(names = "--description")
        private String description;
        @Option(names = "--category")
        private String category;
        @Option(names = "--timeout-seconds")
        private Integer timeout;
        @Option(names = "--context", description = "system or user_session")
        private String context;
        @Option(names = "--os", split = ",", description = "Supported OSes: linux,windows,macos (default: any)")
        private List<String> os;

        Create(Terminal terminal) {
            this.terminal = terminal;
        }

        @Override
        public Integer call() throws IOException {
            String text = file != null ? Files.readString(file) : command != null ? command
                    : new String(terminal.in().readAllBytes(), StandardCharsets.UTF_8);
            List<Parameter> parameters = params.stream().map(Create::parameter).toList();
            ScriptView s = session.client().createScript(new ScriptRequest(name, description, category, type, text, parameters, timeout, context, os));
            output.print(s, () -> Table.fields().row("id", s.id()).row("name", s.name()).row("version", s.version()));
            return ExitCode.OK;
        }

        static Parameter parameter(String spec) {
            String def = null;
            int eq = spec.indexOf('=');
            String head = spec;
            if (eq >= 0) {
                def = spec.substring(eq + 1);
                head = spec.substring(0, eq);
            }
            String[] parts = head.split(":");
            if (parts.length < 2) {
                throw new CliException(ExitCode.USAGE, "--param '" + spec + "': write NAME:TYPE[:required][=DEFAULT], e.g. days:number=7");
            }
            String type = parts[1];
            List<String> options = null;
            if (type.startsWith("choice/")) {
                options = List.of(type.substring("choice/".length()).split("\\|"));
                type = "choice";
            }
            boolean required = parts.length > 2 && parts[2].equals("required");
            return new Parameter(parts[0], type, required, def == null ? null : typed(type, def), options, null);
        }
    }

    /** A value typed by its parameter's type (a value that does not parse is sent as text: the server names the problem). */
    static Object typed(String type, String value) {
        if ("number".equals(type)) {
            try {
                return new BigDecimal(value);
            } catch (NumberFormatException e) {
                return value;
            }
        }
        if ("boolean".equals(type) && (value.equalsIgnoreCase("true") || value.equalsIgnoreCase("false"))) {
            return Boolean.parseBoolean(value.toLowerCase(Locale.ROOT));
        }
        return value;
    }

    @Command(name = "import", mixinStandardHelpOptions = true,
            description = "Import script files (front matter + text, as 'export' writes them): new scripts, or new versions of same-named ones.")
    static final class Import implements Callable<Integer> {
        private final Terminal terminal;
        @Mixin
        private Session session;
        @Parameters(paramLabel = "FILE", arity = "1..*")
        private List<Path> files;

        Import(Terminal terminal) {
            this.terminal = terminal;
        }

        @Override
        public Integer call() throws IOException {
            for (Path f : files) {
                ScriptView s = session.client().importScript(Files.readString(f));
                terminal.out().println(f + ": " + s.name() + " (" + s.id() + ") version " + s.version());
            }
            return ExitCode.OK;
        }
    }

    @Command(name = "export", mixinStandardHelpOptions = true, description = "Write a script as a plain file (stdout, or --out).")
    static final class Export implements Callable<Integer> {
        private final Terminal terminal;
        @Mixin
        private Session session;
        @Parameters(paramLabel = "SCRIPT", description = "Id or name")
        private String script;
        @Option(names = {"-o", "--out"}, description = "Write to this file")
        private Path out;

        Export(Terminal terminal) {
            this.terminal = terminal;
        }

        @Override
        public Integer call() throws IOException {
            String file = session.client().exportScript(resolve(session.client(), script).id());
            if (out != null) {
                Files.writeString(out, file);
            } else {
                terminal.out().print(file);
                terminal.out().flush();
            }
            return ExitCode.OK;
        }
    }

    @Command(name = "run", mixinStandardHelpOptions = true,
            description = "Run a saved script on agents, a site, a client or a filter; --wait prints each agent's result.")
    static final class Run implements Callable<Integer> {
        private final Terminal terminal;
        @Mixin
        private Session session;
        @Mixin
        private Output output;
        @Parameters(paramLabel = "SCRIPT", description = "Id or name")
        private String script;
        @Option(names = "--agent", paramLabel = "ID|HOSTNAME", description = "An agent (repeatable)")
        private List<String> agents = new ArrayList<>();
        @Option(names = "--site-id", description = "Every agent of this site")
        private UUID siteId;
        @Option(names = "--client-id", description = "Every agent of this client")
        private UUID clientId;
        @Option(names = "--os", description = "Only agents of this OS")
        private String os;
        @Option(names = "--all", description = "Every agent (in your scope)")
        private boolean all;
        @Option(names = {"-p", "--param"}, paramLabel = "NAME=VALUE", description = "A parameter value (repeatable)")
        private List<String> params = new ArrayList<>();
        @Option(names = {"-w", "--wait"}, description = "Wait for every agent's result")
        private boolean wait;
        @Option(names = "--timeout", defaultValue = "600", description = "With --wait: seconds to wait (default ${DEFAULT-VALUE})")
        private int waitSeconds;

        Run(Terminal terminal) {
            this.terminal = terminal;
        }

        @Override
        public Integer call() {
            GuruClient client = session.client();
            ScriptView s = resolve(client, script);
            Map<String, String> types = new LinkedHashMap<>();
            s.parameters().forEach(p -> types.put(p.name(), p.type()));
            Map<String, Object> values = new LinkedHashMap<>();
            for (String p : params) {
                int eq = p.indexOf('=');
                if (eq <= 0) {
                    throw new CliException(ExitCode.USAGE, "--param '" + p + "': write NAME=VALUE.");
                }
                String name = p.substring(0, eq);
                values.put(name, typed(types.get(name), p.substring(eq + 1)));
            }
            List<UUID> ids = null;
            AgentFilter filter = null;
            if (!agents.isEmpty()) {
                AgentResolver resolver = new AgentResolver(client.agents());
                ids = agents.stream().map(a -> resolver.resolve(a).id()).toList();
            } else if (siteId != null || clientId != null || os != null || all) {
                filter = new AgentFilter(null, os, null, null, clientId, siteId);
            } else {
                throw new CliException(ExitCode.USAGE, "Name the targets: --agent (repeatable), --site-id, --client-id, --os or --all.");
            }
            RunSubmitted run = client.runScript(s.id(), new RunRequest(ids, filter, values));
            if (!wait) {
                output.print(run, () -> Table.fields().row("batch", run.batchId()).row("agents", run.agentCount())
                        .row("script", s.name() + " v" + run.scriptVersion()));
                return ExitCode.OK;
            }
            BatchView batch = client.awaitBatch(run.batchId(), Duration.ofSeconds(waitSeconds));
            output.print(batch, () -> {
                Table t = Table.of("AGENT", "STATUS", "EXIT", "STDOUT", "STDERR");
                for (BatchResult r : batch.results()) {
                    t.row(r.agentId(), r.status(), r.exitCode(), oneLine(r.stdout()), oneLine(r.error() != null ? r.error() : r.stderr()));
                }
                return t;
            });
            boolean ok = batch.done() && batch.results().stream().allMatch(r -> "completed".equals(r.status()) && Integer.valueOf(0).equals(r.exitCode()));
            return ok ? ExitCode.OK : ExitCode.API_ERROR;
        }

        private static String oneLine(String text) {
            if (text == null) {
                return "";
            }
            String one = text.strip().replace("\r", "").replace('\n', ' ');
            return one.length() > 80 ? one.substring(0, 80) + "..." : one;
        }
    }

    @Command(name = "delete", aliases = "rm", mixinStandardHelpOptions = true, description = "Delete a script (its history stays).")
    static final class Delete implements Callable<Integer> {
        private final Terminal terminal;
        @Mixin
        private Session session;
        @Parameters(paramLabel = "SCRIPT", description = "Id or name")
        private String script;

        Delete(Terminal terminal) {
            this.terminal = terminal;
        }

        @Override
        public Integer call() {
            ScriptView s = resolve(session.client(), script);
            session.client().deleteScript(s.id());
            terminal.out().println("Deleted script " + s.name() + " (" + s.id() + ").");
            return ExitCode.OK;
        }
    }
}
