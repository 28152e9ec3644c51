package com.gururmm.server.auth;

import com.gururmm.protocol.api.Auth.ResetPasswordRequest;
import com.gururmm.protocol.api.Auth.ResetPasswordResponse;
import com.gururmm.protocol.api.Auth.ScopeView;
import com.gururmm.protocol.api.Auth.UpdateUserRequest;
import com.gururmm.protocol.api.Auth.UserDetail;
import com.gururmm.server.audit.AuditLog;
import com.gururmm.server.http.ApiException;
import com.gururmm.server.http.Bodies;
import java.time.Clock;
import java.util.List;
import java.util.UUID;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * {@code PATCH} and {@code DELETE /api/users/{id}}, and password resets. Disabling, deleting or
 * resetting the password of a user ends all their sessions in the same transaction; a role or
 * scope change needs no revocation because every request reads the role and the scope from the
 * database ({@link AuthService#authenticate}).
 *
 * <p>There is always an enabled admin: a change that would leave none is refused (409). Each
 * change first locks the rows of the enabled admins, so two admins demoting each other at the
 * same moment are serialised and the second sees the first's result.
 */
public final class UserAdmin {
    private final Jdbi jdbi;
    private final PasswordHasher hasher;
    private final AuditLog audit;
    private final Clock clock;

    UserAdmin(Jdbi jdbi, PasswordHasher hasher, AuditLog audit, Clock clock) {
        this.jdbi = jdbi;
        this.hasher = hasher;
        this.audit = audit;
        this.clock = clock;
    }

    public UserDetail update(Principal actor, UUID id, UpdateUserRequest request) {
        if (request.disabled() == null && request.role() == null && request.scope() == null) {
            throw ApiException.badRequest("Send 'disabled' (true or false), 'role' (admin, technician or viewer) and/or "
                    + "'scope' ({\"client_ids\": [...], \"site_ids\": [...]}).");
        }
        Role newRole = request.role() == null ? null : Role.parse(request.role()).orElseThrow(() -> ApiException.badRequest(
                "Field 'role' must be admin, technician or viewer; got '" + Bodies.truncate(request.role()) + "'."));
        Changed changed = jdbi.inTransaction(h -> {
            UserStore.UserRow before = lockForChange(h, id);
            Role role = newRole != null ? newRole : Role.parse(before.role()).orElse(Role.VIEWER);
            refuseAdminScope(role, request.scope());
            ScopeView scope = request.scope() == null ? null : ScopeStore.validate(h, request.scope());
            boolean disabled = request.disabled() != null ? request.disabled() : before.disabled();
            keepAnAdmin(h, before, role == Role.ADMIN && !disabled);
            ScopeView scopeBefore = ScopeStore.grants(h, id);
            h.createUpdate("UPDATE users SET role = :role, disabled = :disabled WHERE id = :id")
                    .bind("role", role.wireName()).bind("disabled", disabled).bind("id", id).execute();
            if (role == Role.ADMIN) {
                // Admins are global: grants kept from an earlier role would only confuse.
                ScopeStore.replace(h, id, new ScopeView(List.of(), List.of()));
            } else if (scope != null) {
                ScopeStore.replace(h, id, scope);
            }
            int revoked = disabled && !before.disabled() ? SessionStore.revokeAll(h, id, clock.instant()) : 0;
            // Its API keys end with its sessions (re-enabling the account does not bring them back).
            int keys = disabled && !before.disabled() ? ApiKeyService.revokeAllOf(h, id, actor.name() + " (account disabled)", clock.instant()) : 0;
            return new Changed(before, new UserStore.UserRow(id, before.email(), before.passwordHash(), role.wireName(), disabled,
                    before.createdAt()), revoked, scopeBefore, ScopeStore.grants(h, id), keys);
        });
        audit.record(actor.name(), "user.update", changed.after().email(), "role " + changed.before().role() + " -> " + changed.after().role()
                + ", disabled " + changed.before().disabled() + " -> " + changed.after().disabled()
                + (changed.scopeBefore().equals(changed.scopeAfter()) ? ""
                        : ", scope " + ScopeStore.describe(changed.scopeBefore()) + " -> " + ScopeStore.describe(changed.scopeAfter()))
                + (changed.revoked() > 0 ? ", " + changed.revoked() + " session(s) ended" : "")
                + (changed.keysRevoked() > 0 ? ", " + changed.keysRevoked() + " API key(s) revoked" : ""));
        return detail(changed.after(), changed.scopeAfter());
    }

    /** Admins are global; a scope for one is refused rather than silently ignored. */
    static void refuseAdminScope(Role role, ScopeView scope) {
        boolean empty = scope == null || ((scope.clientIds() == null || scope.clientIds().isEmpty())
                && (scope.siteIds() == null || scope.siteIds().isEmpty()));
        if (role == Role.ADMIN && !empty) {
            throw ApiException.badRequest("Admins see every client and site; a 'scope' applies to technicians and viewers only.");
        }
    }

    /**
     * {@code POST /api/users/{id}/reset-password}: sets the given password, or generates one
     * (returned once); every session of the user ends in the same transaction.
     */
    public ResetPasswordResponse resetPassword(Principal actor, UUID id, ResetPasswordRequest request) {
        String given = request == null ? null : request.password();
        if (given != null && (given.length() < 12 || given.length() > 1024)) {
            throw ApiException.badRequest("Field 'password' must be 12 to 1024 characters long (or left out to generate one).");
        }
        if (given != null && given.chars().anyMatch(c -> c == 0)) {
            throw ApiException.badRequest("Field 'password' contains a NUL character.");
        }
        String password = given != null ? given : Secrets.newToken("pw").substring(3, 27);
        String hash = hasher.hash(password);
        Changed changed = jdbi.inTransaction(h -> {
            UserStore.UserRow before = h.createQuery("SELECT * FROM users WHERE id = :id FOR UPDATE").bind("id", id)
                    .mapTo(UserStore.UserRow.class).findOne().orElseThrow(() -> ApiException.notFound("user", id));
            h.createUpdate("UPDATE users SET password_hash = :hash WHERE id = :id").bind("hash", hash).bind("id", id).execute();
            return new Changed(before, before, SessionStore.revokeAll(h, id, clock.instant()), null, null);
        });
        audit.record(actor.name(), "user.password_reset", changed.before().email(),
                (given != null ? "set by admin" : "generated") + ", " + changed.revoked() + " session(s) ended");
        return new ResetPasswordResponse(id, changed.before().email(), given != null ? null : password, changed.revoked());
    }

    /** Deletes the user and their sessions; their audit entries (recorded by e-mail) stay. */
    public void delete(Principal actor, UUID id) {
        Changed changed = jdbi.inTransaction(h -> {
            UserStore.UserRow before = lockForChange(h, id);
            keepAnAdmin(h, before, false);
            int revoked = SessionStore.revokeAll(h, id, clock.instant());
            h.createUpdate("DELETE FROM sessions WHERE user_id = :id").bind("id", id).execute();
            h.createUpdate("DELETE FROM users WHERE id = :id").bind("id", id).execute();
            return new Changed(before, null, revoked, null, null);
        });
        audit.record(actor.name(), "user.delete", changed.before().email(),
                "role " + changed.before().role() + ", " + changed.revoked() + " session(s) ended");
    }

    static UserDetail detail(Handle h, UserStore.UserRow row) {
        return detail(row, ScopeStore.grants(h, row.id()));
    }

    static UserDetail detail(UserStore.UserRow row, ScopeView scope) {
        return new UserDetail(row.id(), row.email(), row.role(), row.disabled(), row.createdAt(), scope);
    }

    /** One user, as the admin sees them. */
    public UserDetail get(UUID id) {
        return jdbi.withHandle(h -> h.createQuery("SELECT * FROM users WHERE id = :id").bind("id", id)
                .mapTo(UserStore.UserRow.class).findOne().map(row -> detail(h, row))
                .orElseThrow(() -> ApiException.notFound("user", id)));
    }

    private record Changed(UserStore.UserRow before, UserStore.UserRow after, int revoked, ScopeView scopeBefore, ScopeView scopeAfter,
                           int keysRevoked) {
        Changed(UserStore.UserRow before, UserStore.UserRow after, int revoked, ScopeView scopeBefore, ScopeView scopeAfter) {
            this(before, after, revoked, scopeBefore, scopeAfter, 0);
        }
    }

    /** Locks the enabled admins (see the class comment), then the target row. */
    private static UserStore.UserRow lockForChange(Handle h, UUID id) {
        h.createQuery("SELECT id FROM users WHERE role = 'admin' AND disabled = FALSE FOR UPDATE").mapTo(UUID.class).list();
        return h.createQuery("SELECT * FROM users WHERE id = :id FOR UPDATE").bind("id", id)
                .mapTo(UserStore.UserRow.class).findOne()
                .orElseThrow(() -> ApiException.notFound("user", id));
    }

    private static void keepAnAdmin(Handle h, UserStore.UserRow before, boolean staysEnabledAdmin) {
        boolean wasEnabledAdmin = Role.ADMIN.wireName().equals(before.role()) && !before.disabled();
        if (!wasEnabledAdmin || staysEnabledAdmin) {
            return;
        }
        List<UUID> others = h.createQuery("SELECT id FROM users WHERE role = 'admin' AND disabled = FALSE AND id <> :id")
                .bind("id", before.id()).mapTo(UUID.class).list();
        if (others.isEmpty()) {
            throw ApiException.conflict(before.email() + " is the last enabled admin; make another user admin first.");
        }
    }
}
