package com.gururmm.cli.run;

import com.gururmm.cli.CliException;
import com.gururmm.cli.ExitCode;
import com.gururmm.cli.Terminal;
import com.gururmm.cli.agents.AgentFilter;
import com.gururmm.cli.config.Session;
import com.gururmm.cli.output.Output;
import com.gururmm.cli.output.Table;
import com.gururmm.client.GuruApiException;
import com.gururmm.client.GuruClient;
import com.gururmm.protocol.CommandType;
import com.gururmm.protocol.ExecutionContext;
import com.gururmm.protocol.api.Agents.AgentSummary;
import com.gururmm.protocol.api.Commands.CommandRequest;
import com.gururmm.protocol.api.Commands.CommandSubmitted;
import com.gururmm.protocol.api.Commands.CommandView;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code gururmm run}: submit a script to one or more agents and, with {@code --wait},
 * follow it to the end. One agent named with {@code --agent} behaves like running the script
 * locally (its output and exit code become the CLI's); several agents or a filter give a
 * progress line and a summary table.
 */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = {"Run a script on one or more agents. The script comes from --command, --file or stdin.",
                "Without --wait the command id is printed. With --wait on one agent its stdout and stderr are",
                "printed and its exit code becomes this command's; on several agents a summary table is printed."},
        footerHeading = "%nExamples:%n",
        footer = {"  gururmm run --agent web01 --file fix.ps1 --wait",
                "  gururmm run --agent web01 --type bash --command 'df -h /' --wait",
                "  gururmm run --agent web01 --type bash --command 'apt-get -y upgrade' --follow",
                "  gururmm run --agent 3f2a9c --type bash --context user_session --command 'id -un' --wait",
                "  ID=$(gururmm run --agent db01 --type sh --command 'apt-get -y upgrade' --timeout 1800)",
                "  gururmm run --hostname 'web*' --status online --type bash --command uptime --wait",
                "  cat check.sh | gururmm run --agent web01 --agent web02 --type bash --wait --output json",
                "",
                "Exit codes with --wait or --follow: one agent: its exit code; several: 0 if all exited 0, else 1;",
                "124 timed out, 125 could not run (failed), 130 cancelled."})
public final class RunCommand implements Callable<Integer> {
    private final Terminal terminal;

    @Mixin
    private Session session;

    @Mixin
    private Output output;

    @Option(names = {"-a", "--agent"}, paramLabel = "AGENT", description = "Agent id, id prefix or hostname; repeat for several.")
    private List<String> agents = new ArrayList<>();

    @Mixin
    private AgentFilter filter;

    @Option(names = {"-t", "--type"}, paramLabel = "TYPE", completionCandidates = Types.class,
            description = "Interpreter: ${COMPLETION-CANDIDATES}. Default: from the --file extension (.ps1 .sh .py .cmd .bat).")
    private String type;

    @Option(names = "--context", paramLabel = "CONTEXT", defaultValue = "system", completionCandidates = Contexts.class,
            description = "system (SYSTEM/root, the default) or user_session (the logged-on user).")
    private String context;

    @Option(names = "--sandbox", description = "Linux: keep the script inside the agent's hardened sandbox (read-only /);"
            + " by default scripts see the host's file system, so apt, dnf and writes to /etc work.")
    private boolean sandbox;

    @Option(names = "--timeout", paramLabel = "SECONDS", description = "Kill the script after SECONDS (server default if omitted).")
    private Integer timeoutSeconds;

    @ArgGroup(exclusive = true, multiplicity = "0..1")
    private ScriptOptions script;

    @Option(names = {"-w", "--wait"}, description = "Wait for the result, print its output, exit with its exit code.")
    private boolean wait;

    @Option(names = "--follow", description = "One agent only: print its output live as the script runs (stdout to stdout,"
            + " stderr to stderr), then exit with its exit code, as --wait does.")
    private boolean follow;

    @Option(names = {"-q", "--quiet"}, description = "With --wait: no status or progress lines on stderr.")
    private boolean quiet;

    @Option(names = "--raw", description = "With --wait: print the remote output unchanged even on a terminal"
            + " (by default control characters are escaped there; pipes and files always get it unchanged).")
    private boolean raw;

    RunCommand(Terminal terminal) {
        this.terminal = terminal;
    }

    static final class Types extends ArrayList<String> {
        Types() {
            super(List.of("powershell", "bash", "sh", "cmd", "python"));
        }
    }

    static final class Contexts extends ArrayList<String> {
        Contexts() {
            super(List.of("system", "user_session"));
        }
    }

    @Override
    public Integer call() {
        String commandType = commandType();
        if (ExecutionContext.parse(context).isEmpty()) {
            throw CliException.usage("--context must be system or user_session; got '" + context + "'.");
        }
        String text = ScriptOptions.read(script, terminal);
        GuruClient client = session.client();
        List<AgentSummary> targets = Targets.resolve(client, agents, filter);
        CommandRequest request = new CommandRequest(commandType, text, context, timeoutSeconds, sandbox ? "sandbox" : null);
        boolean single = agents.size() == 1 && filter.isEmpty();
        if (follow && !single) {
            throw CliException.usage("--follow prints one agent's output live; name exactly one --agent (use --wait for several).");
        }
        if (follow && output.isJson()) {
            throw CliException.usage("--follow prints the output as it comes, which --output json cannot; use --wait --output json.");
        }
        return single ? runOne(client, targets.getFirst(), request) : runMany(client, targets, request);
    }

    private String commandType() {
        String chosen = type != null ? type : ScriptOptions.typeFromFile(script).orElseThrow(() -> CliException.usage(
                "Which interpreter? Use --type " + CommandType.allowedValues().replace(", ", "|") + "."));
        return CommandType.parse(chosen).map(CommandType::wireName).orElseThrow(() -> CliException.usage(
                "Unknown --type '" + chosen + "'; use one of " + CommandType.allowedValues() + "."));
    }

    private int runOne(GuruClient client, AgentSummary agent, CommandRequest request) {
        CommandSubmitted submitted = client.runCommand(agent.id(), request);
        if (follow) {
            SingleReport report = new SingleReport(terminal, agent.hostname(), quiet, raw);
            report.onChange(Map.of(submitted.commandId(), client.command(submitted.commandId())));
            CommandView view = new OutputFollower(client, terminal, raw).follow(submitted.commandId());
            report.finishFollowed(view);
            return RemoteExit.of(view);
        }
        if (!wait) {
            Submission submission = new Submission(agent.id(), agent.hostname(), submitted.commandId(), submitted.status(), null);
            if (output.isJson()) {
                output.json(submission);
            } else {
                terminal.out().println(submitted.commandId());
                terminal.out().flush();
            }
            return ExitCode.OK;
        }
        SingleReport report = new SingleReport(terminal, agent.hostname(), quiet, raw);
        CommandView view = new Watcher(client).await(List.of(submitted.commandId()), report::onChange).get(submitted.commandId());
        if (output.isJson()) {
            output.json(view);
        } else {
            report.finish(view);
        }
        return RemoteExit.of(view);
    }

    private int runMany(GuruClient client, List<AgentSummary> targets, CommandRequest request) {
        List<Submission> submissions = targets.stream().map(agent -> submit(client, agent, request)).toList();
        if (!wait) {
            output.print(submissions, () -> {
                Table table = Table.of("HOSTNAME", "AGENT", "COMMAND", "STATUS", "ERROR");
                submissions.forEach(s -> table.row(s.hostname(), s.agentId(), s.commandId(), s.status(), s.error()));
                return table;
            });
            return submissions.stream().allMatch(Submission::submitted) ? ExitCode.OK : ExitCode.API_ERROR;
        }
        List<UUID> ids = submissions.stream().filter(Submission::submitted).map(Submission::commandId).toList();
        ProgressLine progress = new ProgressLine(terminal, ids.size(), !quiet);
        Map<UUID, CommandView> results = new Watcher(client).await(ids, progress::update);
        progress.close();
        return FleetReport.print(output, terminal, raw, submissions, results);
    }

    /**
     * One agent refusing (e.g. its OS cannot run the type) must not stop the others, so a
     * server refusal is recorded in the summary. Losing the server is still fatal.
     */
    private static Submission submit(GuruClient client, AgentSummary agent, CommandRequest request) {
        try {
            CommandSubmitted submitted = client.runCommand(agent.id(), request);
            return new Submission(agent.id(), agent.hostname(), submitted.commandId(), submitted.status(), null);
        } catch (GuruApiException e) {
            if (e.status() == 0 || e.status() == 401) {
                throw e;
            }
            return new Submission(agent.id(), agent.hostname(), null, null, e.getMessage());
        }
    }
}
