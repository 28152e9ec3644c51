// Users (admin only): create with role and scope; change role and scope; disable, enable, reset
// the password (a generated one is shown once) and delete. Every change applies to the user's
// next request; disabling, resetting and deleting end their sessions at once.
import { html, nothing } from 'lit';
import { createUser, deleteUser, listUsers, resetPassword, updateUser } from '../api/users.js';
import { listClients, listSites } from '../api/tenancy.js';
import { errorBox } from '../ui.js';
import { ListPage } from './list-page.js';

const ROLES = [['viewer', 'viewer (read only)'], ['technician', 'technician (runs commands)'], ['admin', 'admin (everything)']];

class GuruUsers extends ListPage {
  static properties = {
    message: { state: true },
    clients: { state: true },
    sites: { state: true },
    editing: { state: true },
  };

  constructor() {
    super(listUsers);
    this.message = '';
    this.clients = [];
    this.sites = [];
    this.editing = null; // the id of the user whose scope is being edited
  }

  async load() {
    await super.load();
    try {
      [this.clients, this.sites] = await Promise.all([listClients(), listSites()]);
    } catch (e) {
      this.error = e.message;
    }
  }

  /** The scope chosen by a form's checkboxes (`client` and `site`). */
  static scopeOf(form) {
    const checked = (name) => [...form.querySelectorAll(`input[name="${name}"]:checked`)].map((i) => i.value);
    return { client_ids: checked('client'), site_ids: checked('site') };
  }

  describe(user) {
    if (user.role === 'admin') return 'all clients';
    const scope = user.scope ?? { client_ids: [], site_ids: [] };
    const parts = [
      ...scope.client_ids.map((id) => `${this.clients.find((c) => c.id === id)?.name ?? id} (all sites)`),
      ...scope.site_ids.map((id) => {
        const s = this.sites.find((x) => x.id === id);
        return s ? `${s.client_name} / ${s.name}` : id;
      }),
    ];
    return parts.length ? parts.join(', ') : 'nothing (no client or site assigned)';
  }

  scopeChooser(scope, idPrefix) {
    const has = (list, id) => (list ?? []).includes(id);
    return html`<fieldset class="scope" id=${idPrefix + '-scope'}>
      <legend>Scope (technicians and viewers see only these)</legend>
      ${this.clients.length === 0 ? html`<p class="muted">No clients yet.</p>` : nothing}
      ${this.clients.map((c) => html`<div class="scope-client">
        <label><input type="checkbox" name="client" value=${c.id} ?checked=${has(scope?.client_ids, c.id)}> <strong>${c.name}</strong> (all sites)</label>
        ${this.sites.filter((s) => s.client_id === c.id).map((s) => html`
          <label class="scope-site"><input type="checkbox" name="site" value=${s.id} ?checked=${has(scope?.site_ids, s.id)}> ${s.name}</label>`)}
      </div>`)}
    </fieldset>`;
  }

  async create(event) {
    event.preventDefault();
    const f = event.target;
    this.message = '';
    const role = f.role.value;
    const body = { email: f.email.value.trim(), password: f.password.value, role };
    if (role !== 'admin') body.scope = GuruUsers.scopeOf(f);
    const user = await this.change(() => createUser(body));
    if (user) {
      this.message = `Created ${user.email} (${user.role}).`;
      f.reset();
    }
  }

  async saveScope(event, user) {
    event.preventDefault();
    const updated = await this.change(() => updateUser(user.id, { scope: GuruUsers.scopeOf(event.target) }));
    if (updated) {
      this.editing = null;
      this.message = `Scope of ${user.email} saved; it applies to their next request.`;
    }
  }

  async setRole(user, role) {
    if (await this.change(() => updateUser(user.id, { role }))) this.message = `${user.email} is now ${role}.`;
  }

  async setDisabled(user, disabled) {
    if (await this.change(() => updateUser(user.id, { disabled }))) {
      this.message = disabled ? `${user.email} is disabled; their sessions have ended.` : `${user.email} is enabled.`;
    }
  }

  async reset(user) {
    if (!window.confirm(`Generate a new password for ${user.email}? Their sessions end now.`)) return;
    const result = await this.change(() => resetPassword(user.id));
    if (result) this.message = `New password for ${user.email} (shown only now): ${result.password}`;
  }

  async remove(user) {
    if (!window.confirm(`Delete ${user.email}? Their audit entries stay.`)) return;
    if ((await this.change(() => deleteUser(user.id))) !== undefined) this.message = `Deleted ${user.email}.`;
  }

  row(u) {
    return html`<tr data-user=${u.email}>
      <td>${u.email}</td>
      <td><select class="user-role" aria-label=${'Role of ' + u.email} @change=${(e) => this.setRole(u, e.target.value)}>
        ${ROLES.map(([value]) => html`<option value=${value} ?selected=${u.role === value}>${value}</option>`)}
      </select></td>
      <td class="user-scope">${this.describe(u)}
        ${u.role !== 'admin' && this.editing !== u.id
          ? html` <button type="button" class="edit-scope" @click=${() => { this.editing = u.id; }}>Edit</button>` : nothing}
        ${this.editing === u.id ? html`<form class="scope-form" @submit=${(e) => this.saveScope(e, u)}>
            ${this.scopeChooser(u.scope, 'edit')}
            <button type="submit" class="primary save-scope">Save scope</button>
            <button type="button" @click=${() => { this.editing = null; }}>Cancel</button>
          </form>` : nothing}</td>
      <td class="user-state">${u.disabled ? 'disabled' : 'active'}</td>
      <td class="actions">
        <button type="button" class="toggle-disabled" @click=${() => this.setDisabled(u, !u.disabled)}>${u.disabled ? 'Enable' : 'Disable'}</button>
        <button type="button" class="reset-password" @click=${() => this.reset(u)}>Reset password</button>
        <button type="button" class="delete-user danger" @click=${() => this.remove(u)}>Delete</button>
      </td>
    </tr>`;
  }

  render() {
    return html`
      <section class="card">
        <h1>Users</h1>
        <form id="user-form" @submit=${this.create}>
          <div class="row">
            <label>Email <input name="email" id="user-email" type="email" required autocomplete="off"></label>
            <label>Password <input name="password" id="user-password" type="password" required autocomplete="new-password"></label>
            <label>Role <select name="role" id="user-role">
              ${ROLES.map(([value, label]) => html`<option value=${value} ?selected=${value === 'technician'}>${label}</option>`)}
            </select></label>
            <button type="submit" class="primary">Create user</button>
          </div>
          ${this.scopeChooser(null, 'new')}
        </form>
        ${errorBox(this.error)}
        ${this.message ? html`<p class="notice" role="status" id="users-message">${this.message}</p>` : nothing}
      </section>
      <section class="card">
        <h2>All users</h2>
        ${this.items === null ? html`<p class="muted">Loading…</p>` : html`
        <table id="users-table">
          <thead><tr><th scope="col">Email</th><th scope="col">Role</th><th scope="col">Scope</th><th scope="col">State</th><th scope="col">Actions</th></tr></thead>
          <tbody>${this.items.map((u) => this.row(u))}</tbody>
        </table>`}
      </section>`;
  }
}
customElements.define('guru-users', GuruUsers);
