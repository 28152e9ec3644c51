package com.gururmm.cli.tenancy;

import com.gururmm.cli.CliException;
import com.gururmm.cli.ExitCode;
import com.gururmm.cli.Terminal;
import com.gururmm.cli.config.Session;
import com.gururmm.cli.output.Output;
import com.gururmm.cli.output.Table;
import com.gururmm.client.GuruClient;
import com.gururmm.protocol.api.Auth.ResetPasswordResponse;
import com.gururmm.protocol.api.Auth.ScopeView;
import com.gururmm.protocol.api.Auth.UserDetail;
import com.gururmm.protocol.api.Auth.UserView;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code gururmm users ...} (admin): the people who use GuruRMM, their roles and scopes. */
@Command(name = "users", mixinStandardHelpOptions = true,
        description = "Manage users, their roles and scopes (admin).",
        subcommands = {UsersCommand.ListUsers.class, UsersCommand.Add.class, UsersCommand.Disable.class, UsersCommand.Enable.class,
                UsersCommand.Delete.class, UsersCommand.ResetPassword.class, UsersCommand.SetRole.class, UsersCommand.SetScope.class})
public final class UsersCommand {

    /** {@code --client NAME|ID} and {@code --site CLIENT/SITE|ID}, repeatable: the scope of a technician or viewer. */
    static final class ScopeOptions {
        @Option(names = "--client", paramLabel = "CLIENT", description = "A client (name or id) the user may see, with all its sites; repeatable.")
        List<String> clients = new ArrayList<>();

        @Option(names = "--site", paramLabel = "SITE", description = "A site (CLIENT/SITE, name or id) the user may see; repeatable.")
        List<String> sites = new ArrayList<>();

        ScopeView resolve(GuruClient client) {
            return new ScopeView(clients.stream().map(c -> Names.client(client, c).id()).toList(),
                    sites.stream().map(s -> Names.site(client, s).id()).toList());
        }

        boolean isEmpty() {
            return clients.isEmpty() && sites.isEmpty();
        }
    }

    static String describe(ScopeView scope, GuruClient client, String role) {
        if ("admin".equals(role)) {
            return "all";
        }
        if (scope == null || (scope.clientIds().isEmpty() && scope.siteIds().isEmpty())) {
            return "(none)";
        }
        List<String> parts = new ArrayList<>();
        var clients = client.clients();
        var sites = client.sites(null);
        scope.clientIds().forEach(id -> parts.add(clients.stream().filter(c -> c.id().equals(id)).map(c -> c.name() + "/*")
                .findFirst().orElse(id.toString())));
        scope.siteIds().forEach(id -> parts.add(sites.stream().filter(s -> s.id().equals(id)).map(s -> s.clientName() + "/" + s.name())
                .findFirst().orElse(id.toString())));
        return String.join(", ", parts);
    }

    @Command(name = "list", aliases = "ls", mixinStandardHelpOptions = true, description = "List users with role, scope and state.")
    static final class ListUsers implements Callable<Integer> {
        @Mixin
        private Session session;

        @Mixin
        private Output output;

        @Override
        public Integer call() {
            GuruClient client = session.client();
            List<UserDetail> users = client.users();
            output.print(users, () -> {
                Table table = Table.of("ID", "EMAIL", "ROLE", "SCOPE", "DISABLED", "CREATED");
                users.forEach(u -> table.row(u.id(), u.email(), u.role(), describe(u.scope(), client, u.role()), u.disabled(), u.createdAt()));
                return table;
            });
            return ExitCode.OK;
        }
    }

    @Command(name = "add", mixinStandardHelpOptions = true, description = "Create a user; the password is prompted, or read with --password-stdin.",
            footerHeading = "%nExamples:%n",
            footer = {"  gururmm users add --email tech@example.com --role technician --client Acme",
                    "  echo \"$PW\" | gururmm users add --email view@example.com --role viewer --site Acme/HQ --password-stdin"})
    static final class Add implements Callable<Integer> {
        private final Terminal terminal;

        @Mixin
        private Session session;

        @Mixin
        private Output output;

        @Option(names = "--email", required = true, paramLabel = "EMAIL")
        private String email;

        @Option(names = "--role", required = true, paramLabel = "ROLE", description = "admin, technician or viewer.")
        private String role;

        @Option(names = "--password-stdin", description = "Read the password from stdin (for scripts).")
        private boolean passwordStdin;

        @Mixin
        private ScopeOptions scope;

        Add(Terminal terminal) {
            this.terminal = terminal;
        }

        @Override
        public Integer call() {
            GuruClient client = session.client();
            ScopeView resolved = scope.isEmpty() ? null : scope.resolve(client); // a bad name fails before the password is asked
            String password = password(terminal, passwordStdin, "Password for the new user " + email + ": ");
            UserView user = client.createUser(email, password, role, resolved);
            output.print(user, () -> Table.fields().row("id", user.id()).row("email", user.email()).row("role", user.role()));
            return ExitCode.OK;
        }
    }

    static String password(Terminal terminal, boolean fromStdin, String prompt) {
        if (fromStdin) {
            try {
                String text = new String(terminal.in().readAllBytes(), StandardCharsets.UTF_8).replaceAll("\\R+$", "");
                if (text.isEmpty()) {
                    throw CliException.usage("--password-stdin read an empty password.");
                }
                return text;
            } catch (IOException e) {
                throw CliException.usage("Cannot read the password from stdin: " + e.getMessage());
            }
        }
        char[] typed = terminal.readPassword(prompt);
        if (typed == null) {
            throw CliException.usage("No terminal to prompt for the password on; pipe it in with --password-stdin.");
        }
        return new String(typed);
    }

    abstract static class OneUser implements Callable<Integer> {
        final Terminal terminal;

        @Mixin
        Session session;

        @Mixin
        Output output;

        @Parameters(index = "0", paramLabel = "USER", description = "E-mail or id.")
        String user;

        OneUser(Terminal terminal) {
            this.terminal = terminal;
        }

        UUID id(GuruClient client) {
            return Names.user(client, user).id();
        }

        void show(UserDetail detail, GuruClient client) {
            output.print(detail, () -> Table.fields().row("id", detail.id()).row("email", detail.email()).row("role", detail.role())
                    .row("scope", describe(detail.scope(), client, detail.role())).row("disabled", detail.disabled()));
        }
    }

    @Command(name = "disable", mixinStandardHelpOptions = true, description = "Disable a user: their sessions end at once.")
    static final class Disable extends OneUser {
        Disable(Terminal terminal) {
            super(terminal);
        }

        @Override
        public Integer call() {
            GuruClient client = session.client();
            show(client.updateUser(id(client), true, null, null), client);
            return ExitCode.OK;
        }
    }

    @Command(name = "enable", mixinStandardHelpOptions = true, description = "Enable a disabled user (they log in again).")
    static final class Enable extends OneUser {
        Enable(Terminal terminal) {
            super(terminal);
        }

        @Override
        public Integer call() {
            GuruClient client = session.client();
            show(client.updateUser(id(client), false, null, null), client);
            return ExitCode.OK;
        }
    }

    @Command(name = "delete", mixinStandardHelpOptions = true, description = "Delete a user; their audit entries stay.")
    static final class Delete extends OneUser {
        Delete(Terminal terminal) {
            super(terminal);
        }

        @Override
        public Integer call() {
            GuruClient client = session.client();
            UUID id = id(client);
            client.deleteUser(id);
            terminal.out().println("Deleted user " + user + " (" + id + ").");
            return ExitCode.OK;
        }
    }

    @Command(name = "reset-password", mixinStandardHelpOptions = true,
            description = "Set a user's password (--password-stdin) or generate one, shown once. Their sessions end.")
    static final class ResetPassword extends OneUser {
        @Option(names = "--password-stdin", description = "Read the new password from stdin instead of generating one.")
        private boolean passwordStdin;

        ResetPassword(Terminal terminal) {
            super(terminal);
        }

        @Override
        public Integer call() {
            GuruClient client = session.client();
            String password = passwordStdin ? password(terminal, true, null) : null;
            ResetPasswordResponse reset = client.resetPassword(id(client), password);
            output.print(reset, () -> Table.fields().row("email", reset.email())
                    .row("password", reset.password() == null ? "(as given)" : reset.password())
                    .row("sessions_ended", reset.sessionsEnded()));
            return ExitCode.OK;
        }
    }

    @Command(name = "set-role", mixinStandardHelpOptions = true, description = "Change a user's role (applies on their next request).")
    static final class SetRole extends OneUser {
        @Parameters(index = "1", paramLabel = "ROLE", description = "admin, technician or viewer.")
        private String role;

        SetRole(Terminal terminal) {
            super(terminal);
        }

        @Override
        public Integer call() {
            GuruClient client = session.client();
            show(client.updateUser(id(client), null, role, null), client);
            return ExitCode.OK;
        }
    }

    @Command(name = "set-scope", mixinStandardHelpOptions = true,
            description = "Replace a technician's or viewer's scope (applies on their next request); no --client/--site: nothing.",
            footerHeading = "%nExamples:%n",
            footer = {"  gururmm users set-scope tech@example.com --client Acme --site Globex/Main"})
    static final class SetScope extends OneUser {
        @Mixin
        private ScopeOptions scope;

        SetScope(Terminal terminal) {
            super(terminal);
        }

        @Override
        public Integer call() {
            GuruClient client = session.client();
            show(client.updateUser(id(client), null, null, scope.resolve(client)), client);
            return ExitCode.OK;
        }
    }
}
