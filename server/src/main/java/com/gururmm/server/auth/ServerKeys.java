package com.gururmm.server.auth;

import java.time.Instant;
import java.util.Base64;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.UnableToExecuteStatementException;

/**
 * Server-wide secrets kept in the database, so every node of a cluster signs and checks
 * tokens with the same key. Created on first use; a concurrent creator loses the insert race
 * and reads the winner's value.
 */
public final class ServerKeys {
    private final Jdbi jdbi;

    public ServerKeys(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    public byte[] getOrCreate(String name, int bytes) {
        return existing(name).orElseGet(() -> {
            String value = Base64.getEncoder().encodeToString(Secrets.randomBytes(bytes));
            try {
                jdbi.useHandle(h -> h.createUpdate("INSERT INTO server_keys (name, secret, created_at) VALUES (:name, :secret, :now)")
                        .bind("name", name).bind("secret", value).bind("now", Instant.now()).execute());
            } catch (UnableToExecuteStatementException raceLost) {
                return existing(name).orElseThrow(() -> raceLost);
            }
            return Base64.getDecoder().decode(value);
        });
    }

    private java.util.Optional<byte[]> existing(String name) {
        return jdbi.withHandle(h -> h.createQuery("SELECT secret FROM server_keys WHERE name = :name")
                .bind("name", name).mapTo(String.class).findOne())
                .map(Base64.getDecoder()::decode);
    }
}
