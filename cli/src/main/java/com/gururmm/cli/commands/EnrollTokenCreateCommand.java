package com.gururmm.cli.commands;

import com.gururmm.cli.ExitCode;
import com.gururmm.cli.config.Session;
import com.gururmm.cli.output.Output;
import com.gururmm.cli.output.Table;
import com.gururmm.protocol.api.EnrollmentTokens.CreateRequest;
import com.gururmm.protocol.api.EnrollmentTokens.TokenView;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code POST /api/enrollment-tokens}. The token is shown this once; the server keeps only a hash. */
@Command(name = "create", mixinStandardHelpOptions = true,
        description = {"Create an enrollment token. It is shown only now: the server keeps a hash."},
        footerHeading = "%nExamples:%n",
        footer = {"  gururmm enroll-token create --site Acme/HQ --expires-in-hours 24 --max-uses 10",
                "  TOKEN=$(gururmm enroll-token create --output json | jq -r .token)"})
public final class EnrollTokenCreateCommand implements Callable<Integer> {
    @Mixin
    private Session session;

    @Mixin
    private Output output;

    @Option(names = "--site", paramLabel = "SITE", description = {"Site the enrolled agents land in: CLIENT/SITE or a site id;",
            "a bare name is a site of the default client (created if missing). Omitted: the default site."})
    private String site;

    @Option(names = "--expires-in-hours", paramLabel = "HOURS", description = "Lifetime in hours (server default if omitted).")
    private Integer expiresInHours;

    @Option(names = "--max-uses", paramLabel = "N", description = "How many agents may enroll with it (unlimited if omitted).")
    private Integer maxUses;

    @Override
    public Integer call() {
        var client = session.client();
        java.util.UUID siteId = site == null ? null
                : site.contains("/") || com.gururmm.cli.tenancy.Names.uuid(site).isPresent() ? com.gururmm.cli.tenancy.Names.site(client, site).id() : null;
        TokenView token = client.createEnrollmentToken(new CreateRequest(siteId == null ? site : null, expiresInHours, maxUses, siteId));
        output.print(token, () -> Table.fields()
                .row("token", token.token())
                .row("id", token.id())
                .row("client", token.clientName())
                .row("site", token.site())
                .row("expires_at", token.expiresAt())
                .row("max_uses", token.maxUses() == null ? "unlimited" : token.maxUses()));
        return ExitCode.OK;
    }
}
