package com.gururmm.server.auth;

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
 * {@code PATCH} and {@code DELETE /api/users/{id}}. Disabling or deleting a user ends all their
 * sessions in the same transaction; a role change needs no revocation because every request
 * reads the role from the user row ({@link AuthService#authenticate}).
 *
 * <p>There is always an enabled admin: a change that would leave none is refused (409). Each
 * change first locks the rows of the enabled admins, so two admins demoting each other at the
 * same moment are serialised and the second sees the first's result.
 */
public final class UserAdmin {
    private final Jdbi jdbi;
    private final AuditLog audit;
    private final Clock clock;

    UserAdmin(Jdbi jdbi, AuditLog audit, Clock clock) {
        this.jdbi = jdbi;
        this.audit = audit;
        this.clock = clock;
    }

    public UserDetail update(Principal actor, UUID id, UpdateUserRequest request) {
        if (request.disabled() == null && request.role() == null) {
            throw ApiException.badRequest("Send 'disabled' (true or false) and/or 'role' (admin, technician or viewer).");
        }
        Role newRole = request.role() == null ? null : Role.parse(request.role()).orElseThrow(() -> ApiException.badRequest(
                "Field 'role' must be admin, technician or viewer; got '" + Bodies.truncate(request.role()) + "'."));
        Changed changed = jdbi.inTransaction(h -> {
            UserStore.UserRow before = lockForChange(h, id);
            Role role = newRole != null ? newRole : Role.parse(before.role()).orElse(Role.VIEWER);
            boolean disabled = request.disabled() != null ? request.disabled() : before.disabled();
            keepAnAdmin(h, before, role == Role.ADMIN && !disabled);
            h.createUpdate("UPDATE users SET role = :role, disabled = :disabled WHERE id = :id")
                    .bind("role", role.wireName()).bind("disabled", disabled).bind("id", id).execute();
            int revoked = disabled && !before.disabled() ? SessionStore.revokeAll(h, id, clock.instant()) : 0;
            return new Changed(before, new UserStore.UserRow(id, before.email(), before.passwordHash(), role.wireName(), disabled,
                    before.createdAt()), revoked);
        });
        audit.record(actor.name(), "user.update", changed.after().email(), "role " + changed.before().role() + " -> " + changed.after().role()
                + ", disabled " + changed.before().disabled() + " -> " + changed.after().disabled()
                + (changed.revoked() > 0 ? ", " + changed.revoked() + " session(s) ended" : ""));
        return detail(changed.after());
    }

    /** Deletes the user and their sessions; their audit entries (recorded by e-mail) stay. */
    public void delete(Principal actor, UUID id) {
        Changed changed = jdbi.inTransaction(h -> {
            UserStore.UserRow before = lockForChange(h, id);
            keepAnAdmin(h, before, false);
            int revoked = SessionStore.revokeAll(h, id, clock.instant());
            h.createUpdate("DELETE FROM sessions WHERE user_id = :id").bind("id", id).execute();
            h.createUpdate("DELETE FROM users WHERE id = :id").bind("id", id).execute();
            return new Changed(before, null, revoked);
        });
        audit.record(actor.name(), "user.delete", changed.before().email(),
                "role " + changed.before().role() + ", " + changed.revoked() + " session(s) ended");
    }

    static UserDetail detail(UserStore.UserRow row) {
        return new UserDetail(row.id(), row.email(), row.role(), row.disabled(), row.createdAt());
    }

    private record Changed(UserStore.UserRow before, UserStore.UserRow after, int revoked) {
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
