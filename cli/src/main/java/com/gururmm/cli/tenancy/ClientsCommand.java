package com.gururmm.cli.tenancy;

import com.gururmm.cli.ExitCode;
import com.gururmm.cli.Terminal;
import com.gururmm.cli.config.Session;
import com.gururmm.cli.output.Output;
import com.gururmm.cli.output.Table;
import com.gururmm.client.GuruClient;
import com.gururmm.protocol.api.Tenancy.ClientView;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code gururmm clients ...}: an MSP's customers. Everyone lists what their scope holds; admins change them. */
@Command(name = "clients", mixinStandardHelpOptions = true, description = "List and manage clients (customers); changes are admin-only.",
        subcommands = {ClientsCommand.ListClients.class, ClientsCommand.Add.class, ClientsCommand.Rename.class, ClientsCommand.Delete.class})
public final class ClientsCommand {
    static void show(Output output, ClientView c) {
        output.print(c, () -> Table.fields().row("id", c.id()).row("name", c.name()).row("sites", c.siteCount()).row("agents", c.agentCount()));
    }

    @Command(name = "list", aliases = "ls", mixinStandardHelpOptions = true, description = "Clients in your scope.")
    static final class ListClients implements Callable<Integer> {
        @Mixin
        private Session session;

        @Mixin
        private Output output;

        @Override
        public Integer call() {
            List<ClientView> clients = session.client().clients();
            output.print(clients, () -> {
                Table table = Table.of("ID", "NAME", "SITES", "AGENTS", "CREATED");
                clients.forEach(c -> table.row(c.id(), c.name(), c.siteCount(), c.agentCount(), c.createdAt()));
                return table;
            });
            return ExitCode.OK;
        }
    }

    @Command(name = "add", mixinStandardHelpOptions = true, description = "Create a client (admin).")
    static final class Add implements Callable<Integer> {
        @Mixin
        private Session session;

        @Mixin
        private Output output;

        @Parameters(index = "0", paramLabel = "NAME")
        private String name;

        @Override
        public Integer call() {
            show(output, session.client().createClient(name));
            return ExitCode.OK;
        }
    }

    @Command(name = "rename", mixinStandardHelpOptions = true, description = "Rename a client (admin).")
    static final class Rename implements Callable<Integer> {
        @Mixin
        private Session session;

        @Mixin
        private Output output;

        @Parameters(index = "0", paramLabel = "CLIENT", description = "Name or id.")
        private String client;

        @Parameters(index = "1", paramLabel = "NEW_NAME")
        private String name;

        @Override
        public Integer call() {
            GuruClient api = session.client();
            show(output, api.renameClient(Names.client(api, client).id(), name));
            return ExitCode.OK;
        }
    }

    @Command(name = "delete", mixinStandardHelpOptions = true, description = "Delete a client and its sites; refused while any site holds agents (admin).")
    static final class Delete implements Callable<Integer> {
        private final Terminal terminal;

        @Mixin
        private Session session;

        @Parameters(index = "0", paramLabel = "CLIENT", description = "Name or id.")
        private String client;

        Delete(Terminal terminal) {
            this.terminal = terminal;
        }

        @Override
        public Integer call() {
            GuruClient api = session.client();
            ClientView c = Names.client(api, client);
            api.deleteClient(c.id());
            terminal.out().println("Deleted client " + c.name() + " (" + c.id() + ").");
            return ExitCode.OK;
        }
    }
}
