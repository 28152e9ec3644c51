package com.gururmm.server.auth;

import java.time.Instant;
import java.util.Optional;
import java.util.UUID;
import org.jdbi.v3.core.Jdbi;

/** SQL for the {@code users} table. */
public final class UserStore {
    public record UserRow(UUID id, String email, String passwordHash, String role, boolean disabled, Instant createdAt) {
    }

    private final Jdbi jdbi;

    public UserStore(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    public Optional<UserRow> findByEmail(String email) {
        return jdbi.withHandle(h -> h.createQuery("SELECT * FROM users WHERE email = :email")
                .bind("email", email).mapTo(UserRow.class).findOne());
    }

    public Optional<UserRow> findById(UUID id) {
        return jdbi.withHandle(h -> h.createQuery("SELECT * FROM users WHERE id = :id")
                .bind("id", id).mapTo(UserRow.class).findOne());
    }

    public java.util.List<UserRow> list() {
        return jdbi.withHandle(h -> h.createQuery("SELECT * FROM users ORDER BY email").mapTo(UserRow.class).list());
    }

    public long count() {
        return jdbi.withHandle(h -> h.createQuery("SELECT COUNT(*) FROM users").mapTo(Long.class).one());
    }

    public void insert(UserRow user) {
        jdbi.useHandle(h -> insert(h, user));
    }

    static void insert(org.jdbi.v3.core.Handle h, UserRow user) {
        h.createUpdate("""
                        INSERT INTO users (id, email, password_hash, role, disabled, created_at)
                        VALUES (:id, :email, :passwordHash, :role, :disabled, :createdAt)""")
                .bindMethods(user).execute();
    }
}
