package com.gururmm.cli.tenancy;

import com.gururmm.cli.ExitCode;
import com.gururmm.cli.Terminal;
import com.gururmm.cli.config.Session;
import com.gururmm.cli.output.Output;
import com.gururmm.cli.output.Table;
import com.gururmm.client.GuruClient;
import com.gururmm.protocol.api.Tenancy.SiteView;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code gururmm sites ...}: a client's locations; agents belong to one. Moving agents: {@code sites move-agent}. */
@Command(name = "sites", mixinStandardHelpOptions = true, description = "List and manage sites; changes are admin-only.",
        subcommands = {SitesCommand.ListSites.class, SitesCommand.Add.class, SitesCommand.Rename.class, SitesCommand.Delete.class,
                SitesCommand.MoveAgent.class})
public final class SitesCommand {
    static void show(Output output, SiteView s) {
        output.print(s, () -> Table.fields().row("id", s.id()).row("client", s.clientName()).row("name", s.name()).row("agents", s.agentCount()));
    }

    @Command(name = "list", aliases = "ls", mixinStandardHelpOptions = true, description = "Sites in your scope.")
    static final class ListSites implements Callable<Integer> {
        @Mixin
        private Session session;

        @Mixin
        private Output output;

        @Option(names = "--client", paramLabel = "CLIENT", description = "Only this client's sites (name or id).")
        private String client;

        @Override
        public Integer call() {
            GuruClient api = session.client();
            List<SiteView> sites = api.sites(client == null ? null : Names.client(api, client).id());
            output.print(sites, () -> {
                Table table = Table.of("ID", "CLIENT", "SITE", "AGENTS", "CREATED");
                sites.forEach(s -> table.row(s.id(), s.clientName(), s.name(), s.agentCount(), s.createdAt()));
                return table;
            });
            return ExitCode.OK;
        }
    }

    @Command(name = "add", mixinStandardHelpOptions = true, description = "Create a site of a client (admin).",
            footerHeading = "%nExamples:%n", footer = {"  gururmm sites add --client Acme HQ"})
    static final class Add implements Callable<Integer> {
        @Mixin
        private Session session;

        @Mixin
        private Output output;

        @Option(names = "--client", required = true, paramLabel = "CLIENT", description = "Name or id.")
        private String client;

        @Parameters(index = "0", paramLabel = "NAME")
        private String name;

        @Override
        public Integer call() {
            GuruClient api = session.client();
            show(output, api.createSite(Names.client(api, client).id(), name));
            return ExitCode.OK;
        }
    }

    @Command(name = "rename", mixinStandardHelpOptions = true, description = "Rename a site (admin).")
    static final class Rename implements Callable<Integer> {
        @Mixin
        private Session session;

        @Mixin
        private Output output;

        @Parameters(index = "0", paramLabel = "SITE", description = "CLIENT/SITE, name or id.")
        private String site;

        @Parameters(index = "1", paramLabel = "NEW_NAME")
        private String name;

        @Override
        public Integer call() {
            GuruClient api = session.client();
            show(output, api.renameSite(Names.site(api, site).id(), name));
            return ExitCode.OK;
        }
    }

    @Command(name = "delete", mixinStandardHelpOptions = true, description = "Delete a site; refused while it holds agents (admin).")
    static final class Delete implements Callable<Integer> {
        private final Terminal terminal;

        @Mixin
        private Session session;

        @Parameters(index = "0", paramLabel = "SITE", description = "CLIENT/SITE, name or id.")
        private String site;

        Delete(Terminal terminal) {
            this.terminal = terminal;
        }

        @Override
        public Integer call() {
            GuruClient api = session.client();
            SiteView s = Names.site(api, site);
            api.deleteSite(s.id());
            terminal.out().println("Deleted site " + s.clientName() + "/" + s.name() + " (" + s.id() + ").");
            return ExitCode.OK;
        }
    }

    @Command(name = "move-agent", mixinStandardHelpOptions = true, description = "Move an agent (full id) to a site (admin; audited).",
            footerHeading = "%nExamples:%n", footer = {"  gururmm sites move-agent 3f2a9c4e-1b2d-4c5e-8f90-123456789abc Acme/HQ"})
    static final class MoveAgent implements Callable<Integer> {
        @Mixin
        private Session session;

        @Mixin
        private Output output;

        @Parameters(index = "0", paramLabel = "AGENT_ID", converter = com.gururmm.cli.commands.CommandIds.class)
        private java.util.UUID agent;

        @Parameters(index = "1", paramLabel = "SITE", description = "CLIENT/SITE, name or id.")
        private String site;

        @Override
        public Integer call() {
            GuruClient api = session.client();
            var moved = api.moveAgent(agent, Names.site(api, site).id());
            output.print(moved, () -> Table.fields().row("id", moved.id()).row("hostname", moved.hostname())
                    .row("client", moved.clientName()).row("site", moved.site()));
            return ExitCode.OK;
        }
    }
}
