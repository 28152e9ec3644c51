package com.gururmm.cli.tenancy;

import com.gururmm.cli.CliException;
import com.gururmm.client.GuruClient;
import com.gururmm.protocol.api.Auth.UserDetail;
import com.gururmm.protocol.api.Tenancy.ClientView;
import com.gururmm.protocol.api.Tenancy.SiteView;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;

/**
 * Users, clients and sites are named on the command line by id or by name: a user by e-mail, a
 * client by name, a site by {@code CLIENT/SITE} (or its name alone when only one site has it).
 * Names compare case-insensitively, as the server keeps them unique that way.
 */
public final class Names {
    private Names() {
    }

    public static Optional<UUID> uuid(String value) {
        try {
            return Optional.of(UUID.fromString(value.strip()));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    static UserDetail user(GuruClient client, String emailOrId) {
        Optional<UUID> id = uuid(emailOrId);
        List<UserDetail> users = client.users();
        return users.stream()
                .filter(u -> id.map(u.id()::equals).orElse(u.email().equalsIgnoreCase(emailOrId.strip())))
                .findFirst()
                .orElseThrow(() -> CliException.usage("No user '" + emailOrId + "'; 'gururmm users list' shows them."));
    }

    static ClientView client(GuruClient client, String nameOrId) {
        Optional<UUID> id = uuid(nameOrId);
        return client.clients().stream()
                .filter(c -> id.map(c.id()::equals).orElse(c.name().toLowerCase(Locale.ROOT).equals(nameOrId.strip().toLowerCase(Locale.ROOT))))
                .findFirst()
                .orElseThrow(() -> CliException.usage("No client '" + nameOrId + "'; 'gururmm clients list' shows them."));
    }

    public static SiteView site(GuruClient client, String spec) {
        Optional<UUID> id = uuid(spec);
        List<SiteView> sites = client.sites(null);
        if (id.isPresent()) {
            return sites.stream().filter(s -> s.id().equals(id.get())).findFirst()
                    .orElseThrow(() -> CliException.usage("No site " + spec + "; 'gururmm sites list' shows them."));
        }
        int slash = spec.indexOf('/');
        String clientName = slash < 0 ? null : spec.substring(0, slash).strip();
        String siteName = (slash < 0 ? spec : spec.substring(slash + 1)).strip();
        List<SiteView> matches = sites.stream()
                .filter(s -> s.name().equalsIgnoreCase(siteName))
                .filter(s -> clientName == null || s.clientName().equalsIgnoreCase(clientName))
                .toList();
        if (matches.size() != 1) {
            throw CliException.usage((matches.isEmpty() ? "No site '" : "Several sites are named '") + spec
                    + "'; name it as CLIENT/SITE or by id ('gururmm sites list' shows them).");
        }
        return matches.getFirst();
    }
}
