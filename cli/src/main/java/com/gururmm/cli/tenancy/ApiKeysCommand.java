package com.gururmm.cli.tenancy;

import com.gururmm.cli.CliException;
import com.gururmm.cli.ExitCode;
import com.gururmm.cli.Terminal;
import com.gururmm.cli.config.Session;
import com.gururmm.cli.output.Output;
import com.gururmm.cli.output.Table;
import com.gururmm.client.GuruClient;
import com.gururmm.protocol.api.ApiKeys.CreateRequest;
import com.gururmm.protocol.api.ApiKeys.Created;
import com.gururmm.protocol.api.ApiKeys.KeyView;
import com.gururmm.protocol.api.Auth.ScopeView;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code gururmm api-keys ...}: one's own API keys (docs/CLI.md, "API keys"). */
@Command(name = "api-keys", mixinStandardHelpOptions = true,
        description = "Create, list and revoke your API keys (bearer credentials for scripts; see 'gururmm login --api-key-stdin').",
        subcommands = {ApiKeysCommand.Create.class, ApiKeysCommand.ListKeys.class, ApiKeysCommand.Revoke.class})
public final class ApiKeysCommand {

    static String scopeText(ScopeView scope, GuruClient client, String role) {
        return scope == null ? "(owner's)" : UsersCommand.describe(scope, client, role);
    }

    @Command(name = "create", mixinStandardHelpOptions = true,
            description = {"Create an API key; it is printed once (the server keeps only a hash).",
                    "Needs a password login (an API key cannot create keys). Default: your role and scope, 90 days."},
            footerHeading = "%nExamples:%n",
            footer = {"  gururmm api-keys create --name backup-script --expires-in-days 30",
                    "  gururmm api-keys create --name monitoring --role viewer --site Acme/HQ --output json | jq -r .key"})
    static final class Create implements Callable<Integer> {
        private final Terminal terminal;

        @Mixin
        private Session session;

        @Mixin
        private Output output;

        @Option(names = "--name", required = true, paramLabel = "NAME", description = "What the key is for (up to 100 characters).")
        private String name;

        @Option(names = "--expires-in-days", paramLabel = "DAYS", description = "Lifetime in days (1 to 3650; default 90).")
        private Integer days;

        @Option(names = "--expires-at", paramLabel = "TIME", description = "Expiry as an ISO-8601 instant, e.g. 2026-12-31T00:00:00Z.")
        private String at;

        @Option(names = "--role", paramLabel = "ROLE", description = "admin, technician or viewer; at most yours (default: yours).")
        private String role;

        @Mixin
        private UsersCommand.ScopeOptions scope;

        Create(Terminal terminal) {
            this.terminal = terminal;
        }

        @Override
        public Integer call() {
            Instant expiresAt = null;
            if (at != null) {
                try {
                    expiresAt = Instant.parse(at.strip());
                } catch (DateTimeParseException e) {
                    throw CliException.usage("--expires-at '" + at + "' is not an ISO-8601 instant such as 2026-12-31T00:00:00Z.");
                }
            }
            GuruClient client = session.client();
            ScopeView resolved = scope.isEmpty() ? null : scope.resolve(client);
            Created created = client.createApiKey(new CreateRequest(name, expiresAt, days, role, resolved));
            output.print(created, () -> Table.fields().row("id", created.id()).row("name", created.name())
                    .row("key", created.key()).row("role", created.role())
                    .row("scope", scopeText(created.scope(), client, created.role())).row("expires_at", created.expiresAt()));
            if (!output.isJson()) {
                terminal.err().println("Copy the key now: it is not shown again. Use it as 'Authorization: Bearer <key>', or run"
                        + " 'gururmm login --api-key-stdin' with it.");
                terminal.err().flush();
            }
            return ExitCode.OK;
        }
    }

    @Command(name = "list", aliases = "ls", mixinStandardHelpOptions = true,
            description = "List your API keys (never the secrets): status, expiry, last use.")
    static final class ListKeys implements Callable<Integer> {
        @Mixin
        private Session session;

        @Mixin
        private Output output;

        @Option(names = "--all", description = "Every user's keys (admin).")
        private boolean all;

        @Override
        public Integer call() {
            GuruClient client = session.client();
            List<KeyView> keys = client.apiKeys(all);
            output.print(keys, () -> {
                Table table = Table.of("ID", "NAME", "PREFIX", "OWNER", "ROLE", "SCOPE", "STATUS", "EXPIRES", "LAST USED", "FROM");
                keys.forEach(k -> table.row(k.id(), k.name(), k.prefix() + "...", k.ownerEmail(), k.role(),
                        scopeText(k.scope(), client, k.role()), k.status(), k.expiresAt(),
                        k.lastUsedAt() == null ? "never" : k.lastUsedAt(), k.lastUsedIp() == null ? "" : k.lastUsedIp()));
                return table;
            });
            return ExitCode.OK;
        }
    }

    @Command(name = "revoke", mixinStandardHelpOptions = true, description = "Revoke an API key: it stops working at once.")
    static final class Revoke implements Callable<Integer> {
        private final Terminal terminal;

        @Mixin
        private Session session;

        @Parameters(index = "0", paramLabel = "KEY", description = "The key's id, or the name of one of your active keys.")
        private String key;

        Revoke(Terminal terminal) {
            this.terminal = terminal;
        }

        @Override
        public Integer call() {
            GuruClient client = session.client();
            Optional<UUID> id = Names.uuid(key);
            UUID target = id.orElseGet(() -> {
                List<KeyView> named = client.apiKeys(false).stream()
                        .filter(k -> "active".equals(k.status()) && k.name().equals(key.strip())).toList();
                if (named.size() != 1) {
                    throw CliException.usage((named.isEmpty() ? "None of your active keys is named '" : "Several of your active keys are named '")
                            + key + "'; name it by id ('gururmm api-keys list' shows them).");
                }
                return named.getFirst().id();
            });
            client.revokeApiKey(target);
            terminal.out().println("Revoked API key " + target + ".");
            return ExitCode.OK;
        }
    }
}
