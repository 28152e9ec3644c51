package com.gururmm.cli.notifications;

import com.gururmm.cli.CliException;
import com.gururmm.cli.ExitCode;
import com.gururmm.cli.config.Session;
import com.gururmm.cli.output.Output;
import com.gururmm.cli.output.Table;
import com.gururmm.protocol.api.Notifications.ChannelRequest;
import com.gururmm.protocol.api.Notifications.ChannelView;
import com.gururmm.protocol.api.Notifications.DeliveryView;
import com.gururmm.protocol.api.Notifications.RuleRequest;
import com.gururmm.protocol.api.Notifications.RuleView;
import com.gururmm.protocol.api.Notifications.TestResult;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code gururmm notifications channels|rules|deliveries} (docs/CLI.md). */
@Command(name = "notifications", mixinStandardHelpOptions = true,
        description = "Notification channels (webhook, e-mail), routing rules and the delivery log.",
        subcommands = {NotificationsCommand.Channels.class, NotificationsCommand.Rules.class, NotificationsCommand.Deliveries.class})
public final class NotificationsCommand {

    @Command(name = "channels", mixinStandardHelpOptions = true, description = "Manage notification channels (admin).",
            subcommands = {ChannelsList.class, ChannelsAdd.class, ChannelsTest.class, ChannelsDelete.class})
    static final class Channels {
    }

    @Command(name = "list", aliases = "ls", mixinStandardHelpOptions = true, description = "List notification channels.")
    static final class ChannelsList implements Callable<Integer> {
        @Mixin
        private Session session;
        @Mixin
        private Output output;

        @Override
        public Integer call() {
            List<ChannelView> channels = session.client().notificationChannels();
            output.print(channels, () -> {
                Table table = Table.of("ID", "NAME", "TYPE", "TARGET", "ENABLED");
                channels.forEach(c -> table.row(c.id(), c.name(), c.type().equals("webhook") ? c.type() + "/" + c.preset() : c.type(),
                        c.type().equals("webhook") ? hostOf(c.url()) : String.join(",", c.emailTo()) + " via " + c.smtpHost() + ":" + c.smtpPort(),
                        c.enabled()));
                return table;
            });
            return ExitCode.OK;
        }
    }

    /** Only scheme and host: a chat webhook's path is its credential. */
    static String hostOf(String url) {
        try {
            java.net.URI uri = java.net.URI.create(url);
            return uri.getScheme() + "://" + uri.getHost() + (uri.getPort() > 0 ? ":" + uri.getPort() : "") + "/...";
        } catch (IllegalArgumentException e) {
            return "(invalid)";
        }
    }

    @Command(name = "add", mixinStandardHelpOptions = true,
            description = {"Add a webhook or e-mail channel. A webhook's signing secret is printed once."},
            footerHeading = "%nExamples:%n",
            footer = {"  gururmm notifications channels add --name ops-slack --webhook https://hooks.slack.com/services/... --preset slack",
                    "  echo \"$SMTP_PASS\" | gururmm notifications channels add --name oncall --smtp-host mail.example.com --smtp-port 587 \\",
                    "      --smtp-user alerts --smtp-password-stdin --from gururmm@example.com --to oncall@example.com"})
    static final class ChannelsAdd implements Callable<Integer> {
        private final com.gururmm.cli.Terminal terminal;

        ChannelsAdd(com.gururmm.cli.Terminal terminal) {
            this.terminal = terminal;
        }

        @Mixin
        private Session session;
        @Mixin
        private Output output;

        @Option(names = "--name", required = true, paramLabel = "NAME", description = "Channel name.")
        private String name;
        @Option(names = "--webhook", paramLabel = "URL", description = "Webhook URL (http or https).")
        private String url;
        @Option(names = "--preset", paramLabel = "PRESET", description = "generic (default), slack, teams or discord.")
        private String preset;
        @Option(names = "--smtp-host", paramLabel = "HOST", description = "SMTP server (an e-mail channel).")
        private String smtpHost;
        @Option(names = "--smtp-port", paramLabel = "PORT", description = "SMTP port (587 STARTTLS, 465 TLS).")
        private Integer smtpPort;
        @Option(names = "--smtp-tls", paramLabel = "MODE", description = "starttls_required (default), starttls_optional, tls or none.")
        private String smtpTls;
        @Option(names = "--smtp-user", paramLabel = "USER", description = "SMTP AUTH user.")
        private String smtpUser;
        @Option(names = "--smtp-password-stdin", description = "Read the SMTP password from the first line of standard input.")
        private boolean passwordStdin;
        @Option(names = "--from", paramLabel = "ADDRESS", description = "Sender address.")
        private String from;
        @Option(names = "--to", paramLabel = "ADDRESS", split = ",", description = "Recipient(s), comma-separated or repeated.")
        private List<String> to;

        @Override
        public Integer call() throws IOException {
            boolean webhook = url != null;
            if (webhook == (smtpHost != null)) {
                throw new CliException(ExitCode.USAGE, "give either --webhook URL or --smtp-host HOST (with --from and --to).");
            }
            ChannelRequest request;
            if (webhook) {
                request = ChannelRequest.webhook(name, preset, url);
            } else {
                String password = null;
                if (passwordStdin) {
                    password = new BufferedReader(new InputStreamReader(terminal.in(), StandardCharsets.UTF_8)).readLine();
                    if (password == null || password.isEmpty()) {
                        throw CliException.usage("--smtp-password-stdin read an empty password.");
                    }
                }
                request = new ChannelRequest(name, "email", null, null, smtpHost, smtpPort, smtpTls, smtpUser, password, from, to,
                        null, null, null);
            }
            ChannelView c = session.client().createNotificationChannel(request);
            output.print(c, () -> {
                Table t = Table.fields().row("id", c.id()).row("name", c.name()).row("type", c.type());
                if (c.secret() != null) {
                    t.row("secret", c.secret()).row("note", "the signing secret is shown only now; give it to the receiver");
                }
                return t;
            });
            return ExitCode.OK;
        }
    }

    @Command(name = "test", mixinStandardHelpOptions = true, description = "Send a test message now; exit 1 if it was not accepted.")
    static final class ChannelsTest implements Callable<Integer> {
        @Mixin
        private Session session;
        @Mixin
        private Output output;
        @Parameters(paramLabel = "CHANNEL_ID", description = "Channel id.")
        private UUID id;

        @Override
        public Integer call() {
            TestResult r = session.client().testNotificationChannel(id);
            output.print(r, () -> Table.fields().row("ok", r.ok()).row("http_status", r.attempt().httpStatus())
                    .row("reply", r.attempt().reply()).row("error", r.attempt().error()).row("duration_ms", r.attempt().durationMs())
                    .row("delivery", r.deliveryId()));
            return r.ok() ? ExitCode.OK : ExitCode.API_ERROR;
        }
    }

    @Command(name = "delete", aliases = "rm", mixinStandardHelpOptions = true, description = "Delete a channel and its delivery log.")
    static final class ChannelsDelete implements Callable<Integer> {
        @Mixin
        private Session session;
        @Parameters(paramLabel = "CHANNEL_ID", description = "Channel id.")
        private UUID id;

        @Override
        public Integer call() {
            session.client().deleteNotificationChannel(id);
            return ExitCode.OK;
        }
    }

    @Command(name = "rules", mixinStandardHelpOptions = true, description = "Routing rules: which alerts go to which channels.",
            subcommands = {RulesList.class, RulesAdd.class})
    static final class Rules {
    }

    @Command(name = "list", aliases = "ls", mixinStandardHelpOptions = true, description = "List routing rules.")
    static final class RulesList implements Callable<Integer> {
        @Mixin
        private Session session;
        @Mixin
        private Output output;

        @Override
        public Integer call() {
            List<RuleView> rules = session.client().notificationRules();
            output.print(rules, () -> {
                Table table = Table.of("ID", "NAME", "MIN SEVERITY", "SITE", "TRANSITIONS", "CHANNELS", "DIGEST", "ENABLED");
                rules.forEach(r -> table.row(r.id(), r.name(), r.minSeverity(), r.site() == null ? "(all)" : r.site(),
                        String.join(",", r.transitions()), r.channelIds().size(),
                        r.digestThreshold() == null ? "-" : ">" + r.digestThreshold() + " in " + r.digestWindowSeconds() + "s", r.enabled()));
                return table;
            });
            return ExitCode.OK;
        }
    }

    @Command(name = "add", mixinStandardHelpOptions = true, description = "Add a routing rule.",
            footerHeading = "%nExamples:%n",
            footer = {"  gururmm notifications rules add --name hq-critical --min-severity critical --site hq --channel ID",
                    "  gururmm notifications rules add --name outages --channel ID --digest-threshold 10 --digest-window 60"})
    static final class RulesAdd implements Callable<Integer> {
        @Mixin
        private Session session;
        @Mixin
        private Output output;
        @Option(names = "--name", required = true, paramLabel = "NAME", description = "Rule name.")
        private String name;
        @Option(names = "--min-severity", paramLabel = "SEVERITY", description = "info, warning (default) or critical.")
        private String minSeverity;
        @Option(names = "--site", paramLabel = "SITE", description = "Only this site (default: every site).")
        private String site;
        @Option(names = "--on", paramLabel = "TRANSITION", split = ",", description = "open, acknowledged, resolved (default open,resolved).")
        private List<String> transitions;
        @Option(names = "--channel", required = true, paramLabel = "CHANNEL_ID", split = ",", description = "Channel id(s).")
        private List<UUID> channels;
        @Option(names = "--digest-threshold", paramLabel = "N", description = "More than N changes of a site in one window become one digest.")
        private Integer digestThreshold;
        @Option(names = "--digest-window", paramLabel = "SECONDS", description = "Digest window length (5..3600).")
        private Integer digestWindow;

        @Override
        public Integer call() {
            RuleView r = session.client().createNotificationRule(new RuleRequest(name, minSeverity, site, transitions, channels,
                    digestThreshold, digestWindow, null));
            output.print(r, () -> Table.fields().row("id", r.id()).row("name", r.name()).row("min_severity", r.minSeverity())
                    .row("site", r.site()).row("transitions", String.join(",", r.transitions())));
            return ExitCode.OK;
        }
    }

    @Command(name = "deliveries", mixinStandardHelpOptions = true, description = "The delivery log, newest first.")
    static final class Deliveries implements Callable<Integer> {
        @Mixin
        private Session session;
        @Mixin
        private Output output;
        @Option(names = "--channel", paramLabel = "CHANNEL_ID", description = "Only this channel.")
        private UUID channel;
        @Option(names = "--alert", paramLabel = "ALERT_ID", description = "Only this alert.")
        private UUID alert;
        @Option(names = "--status", paramLabel = "STATUS", description = "pending, delivered or failed.")
        private String status;

        @Override
        public Integer call() {
            List<DeliveryView> deliveries = session.client().notificationDeliveries(channel, alert, status);
            output.print(deliveries, () -> {
                Table table = Table.of("ID", "CHANNEL", "KIND", "ALERT", "STATE", "STATUS", "ATTEMPTS", "LAST ERROR", "CREATED");
                deliveries.forEach(d -> table.row(d.id(), d.channelId(), d.kind(), d.alertId(), d.alertState(), d.status(), d.attempts(),
                        d.lastError(), d.createdAt()));
                return table;
            });
            return ExitCode.OK;
        }
    }
}
