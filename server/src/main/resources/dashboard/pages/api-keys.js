// API keys: the signed-in user creates (the key is shown once), lists and revokes their own keys.
// A key is never wider than its owner: the role list stops at the user's role and the sites are
// the ones the user sees (the server checks both again).
import { html, nothing } from 'lit';
import { createApiKey, listApiKeys, revokeApiKey } from '../api/api-keys.js';
import { listSites } from '../api/tenancy.js';
import { badge, errorBox, formatTime } from '../ui.js';
import { ListPage, optionalInt } from './list-page.js';

const ROLES = ['viewer', 'technician', 'admin'];

class GuruApiKeys extends ListPage {
  static properties = {
    user: { attribute: false },
    created: { state: true },
    copied: { state: true },
    sites: { state: true },
  };

  constructor() {
    super(listApiKeys);
    this.created = null;
    this.sites = [];
  }

  connectedCallback() {
    super.connectedCallback();
    listSites().then((sites) => { this.sites = sites; }, () => { this.sites = []; });
  }

  /** The roles a key of this user may have: theirs and the ones below. */
  roles() {
    return ROLES.slice(0, ROLES.indexOf(this.user?.role ?? 'viewer') + 1);
  }

  async create(event) {
    event.preventDefault();
    const f = event.target;
    const body = { name: f.name.value.trim(), expires_in_days: optionalInt(f.days.value), role: f.role.value };
    const siteIds = [...f.querySelectorAll('input[name="site"]:checked')].map((c) => c.value);
    if (siteIds.length > 0) body.scope = { client_ids: [], site_ids: siteIds };
    // The server keeps only a hash: this response is the one time the key can be seen.
    const created = await this.change(() => createApiKey(body));
    if (created) {
      this.created = created;
      this.copied = false;
      f.reset();
    }
  }

  async copy() {
    try {
      await navigator.clipboard.writeText(this.created.key);
      this.copied = true;
    } catch {
      window.getSelection().selectAllChildren(this.querySelector('#new-key-value'));
    }
  }

  async revoke(key) {
    if (!window.confirm(`Revoke the API key "${key.name}"? Everything using it stops working at once.`)) return;
    await this.change(() => revokeApiKey(key.id));
  }

  describeScope(scope) {
    if (!scope) return 'yours';
    const names = scope.site_ids.map((id) => {
      const site = this.sites.find((s) => s.id === id);
      return site ? `${site.client_name} / ${site.name}` : id;
    });
    return [...scope.client_ids.map((id) => `client ${id}`), ...names].join(', ');
  }

  render() {
    const role = this.user?.role ?? 'viewer';
    return html`
      <section class="card">
        <h1>API keys</h1>
        <p class="muted">A key lets a script call the API as you (<code>Authorization: Bearer &lt;key&gt;</code>, or
          <code>gururmm login --api-key-stdin</code>), never with more than your role and scope: if yours are narrowed, so
          are your keys. Keys cannot create keys, change your password or your MFA.</p>
        <form id="key-form" class="row" @submit=${this.create}>
          <label>Name <input name="name" id="key-name" maxlength="100" required></label>
          <label>Expires in (days) <input name="days" id="key-days" type="number" min="1" max="3650" value="90"></label>
          <label>Role <select name="role" id="key-role">
            ${this.roles().map((r) => html`<option value=${r} ?selected=${r === role}>${r}</option>`)}
          </select></label>
          ${this.sites.length > 0 ? html`
            <fieldset class="scope" id="key-scope"><legend>Only these sites (none ticked: your whole scope; not for admin keys)</legend>
              ${this.sites.map((s) => html`<label class="scope-site"><input type="checkbox" name="site" value=${s.id}>
                ${s.client_name} / ${s.name}</label>`)}
            </fieldset>` : nothing}
          <button type="submit" class="primary" id="key-create">Create key</button>
        </form>
        ${errorBox(this.error)}
        ${this.created ? html`
          <div class="new-token" id="new-key" role="status">
            <p><strong>Copy this key now: it is shown only once.</strong></p>
            <code id="new-key-value" class="mono">${this.created.key}</code>
            <button type="button" id="new-key-copy" @click=${this.copy}>${this.copied ? 'Copied' : 'Copy'}</button>
            <button type="button" class="link" id="new-key-dismiss" @click=${() => { this.created = null; }}>Done</button>
          </div>` : nothing}
      </section>
      <section class="card">
        <h2>Your keys</h2>
        ${this.items === null ? html`<p class="muted">Loading…</p>` : this.items.length === 0 ? html`<p class="muted" id="no-keys">No keys yet.</p>` : html`
        <div class="table-wrap"><table id="keys-table">
          <thead><tr><th scope="col">Name</th><th scope="col">Key</th><th scope="col">Role</th><th scope="col">Scope</th>
            <th scope="col">Status</th><th scope="col">Created</th><th scope="col">Expires</th><th scope="col">Last used</th><th scope="col"></th></tr></thead>
          <tbody>${this.items.map((k) => html`<tr data-key-id=${k.id}>
            <td class="key-name">${k.name}</td><td class="mono">${k.prefix}…</td><td>${k.role}</td>
            <td>${this.describeScope(k.scope)}</td><td class="key-status">${badge(k.status)}</td>
            <td>${formatTime(k.created_at)}</td><td>${formatTime(k.expires_at)}</td>
            <td class="key-last-used">${k.last_used_at ? html`${formatTime(k.last_used_at)} from ${k.last_used_ip ?? '?'}` : 'never'}</td>
            <td>${k.status === 'active' ? html`<button type="button" class="danger revoke" @click=${() => this.revoke(k)}>Revoke</button>` : nothing}</td>
          </tr>`)}</tbody>
        </table></div>`}
      </section>`;
  }
}
customElements.define('guru-api-keys', GuruApiKeys);
