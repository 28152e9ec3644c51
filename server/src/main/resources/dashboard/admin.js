// Admin pages: enrollment tokens, releases, users, audit log. The app hides them from other
// roles; the server enforces the same rule on every route, so hiding is only a convenience.
import { html, nothing } from 'lit';
import { api, seg } from './api.js';
import { LightElement, badge, errorBox, formatTime } from './ui.js';

const optionalInt = (value) => {
  const n = Number.parseInt(value, 10);
  return Number.isNaN(n) ? undefined : n;
};

/**
 * An admin page built around one list from the API: it loads the list when shown and reloads
 * it after every change; a failure of either lands in `error`, shown in the page's error box.
 */
class ListPage extends LightElement {
  static properties = {
    items: { state: true },
    error: { state: true },
  };

  constructor(path) {
    super();
    this.path = path;
    this.items = null;
    this.error = '';
  }

  connectedCallback() {
    super.connectedCallback();
    this.load();
  }

  async load() {
    try {
      this.items = await api('GET', this.path);
    } catch (e) {
      this.error = e.message;
    }
  }

  /** Sends one change, then reloads the list. Returns the change's response, or undefined if it failed. */
  async change(request) {
    this.error = '';
    try {
      const response = await request();
      await this.load();
      return response;
    } catch (e) {
      this.error = e.message;
      return undefined;
    }
  }
}

class GuruTokens extends ListPage {
  static properties = {
    created: { state: true },
    copied: { state: true },
  };

  constructor() {
    super('/api/enrollment-tokens');
    this.created = null;
  }

  async create(event) {
    event.preventDefault();
    const f = event.target;
    const body = {
      site: f.site.value.trim() || undefined,
      expires_in_hours: optionalInt(f.hours.value),
      max_uses: optionalInt(f.uses.value),
    };
    // The server keeps only a hash: this response is the one time the token can be seen.
    const created = await this.change(() => api('POST', '/api/enrollment-tokens', body));
    if (created) {
      this.created = created;
      this.copied = false;
      f.reset();
    }
  }

  async copy() {
    try {
      await navigator.clipboard.writeText(this.created.token);
      this.copied = true;
    } catch {
      // Clipboard refused (permissions): select the text so Ctrl+C works.
      const code = this.querySelector('#new-token-value');
      window.getSelection().selectAllChildren(code);
    }
  }

  async revoke(token) {
    if (!window.confirm(`Revoke the enrollment token for site "${token.site ?? '(none)'}"? Machines can no longer enroll with it.`)) return;
    await this.change(() => api('DELETE', `/api/enrollment-tokens/${seg(token.id)}`));
  }

  render() {
    return html`
      <section class="card">
        <h1>Enrollment tokens</h1>
        <p class="muted">A machine joins the fleet by starting its agent with <code>GURURMM_ENROLLMENT_TOKEN</code>.</p>
        <form id="token-form" class="row" @submit=${this.create}>
          <label>Site <input name="site" id="token-site" maxlength="200"></label>
          <label>Expires in (hours) <input name="hours" id="token-hours" type="number" min="1" value="24"></label>
          <label>Max uses <input name="uses" id="token-uses" type="number" min="1" placeholder="unlimited"></label>
          <button type="submit" class="primary" id="token-create">Create token</button>
        </form>
        ${errorBox(this.error)}
        ${this.created ? html`
          <div class="new-token" id="new-token" role="status">
            <p><strong>Copy this token now: it is shown only once.</strong></p>
            <code id="new-token-value" class="mono">${this.created.token}</code>
            <button type="button" id="new-token-copy" @click=${this.copy}>${this.copied ? 'Copied' : 'Copy'}</button>
            <button type="button" class="link" id="new-token-dismiss" @click=${() => { this.created = null; }}>Done</button>
          </div>` : nothing}
      </section>
      <section class="card">
        <h2>Tokens</h2>
        ${this.items === null ? html`<p class="muted">Loading…</p>` : html`
        <div class="table-wrap"><table id="tokens-table">
          <thead><tr><th scope="col">Site</th><th scope="col">Status</th><th scope="col">Uses</th>
            <th scope="col">Created</th><th scope="col">Expires</th><th scope="col"></th></tr></thead>
          <tbody>${this.items.map((t) => html`<tr data-token-id=${t.id}>
            <td>${t.site ?? '—'}</td><td>${badge(t.status)}</td>
            <td>${t.uses}${t.max_uses ? ` / ${t.max_uses}` : ''}</td>
            <td>${formatTime(t.created_at)}</td><td>${formatTime(t.expires_at)}</td>
            <td>${t.status === 'active' ? html`<button type="button" class="danger revoke" @click=${() => this.revoke(t)}>Revoke</button>` : nothing}</td>
          </tr>`)}</tbody>
        </table></div>`}
      </section>`;
  }
}
customElements.define('guru-tokens', GuruTokens);

class GuruReleases extends ListPage {
  constructor() {
    super('/api/releases');
  }

  async setChannel(release, channel) {
    await this.change(() => api('POST', `/api/releases/${seg(release.file)}/channel`, { channel }));
  }

  render() {
    return html`
      <section class="card">
        <h1>Releases</h1>
        <p class="muted">Agent builds in the downloads directory. New builds start on <em>beta</em>; promote one to
          <em>stable</em> when beta agents run it well. See docs/RELEASES.md.</p>
        ${errorBox(this.error)}
        ${this.items === null ? html`<p class="muted">Loading…</p>`
          : this.items.length === 0 ? html`<p class="muted">No agent builds published yet.</p>` : html`
        <div class="table-wrap"><table id="releases-table">
          <thead><tr><th scope="col">File</th><th scope="col">Platform</th><th scope="col">Version</th>
            <th scope="col">Channel</th><th scope="col">Rollout</th><th scope="col">Agents (running / pending / failed)</th>
            <th scope="col">Checks</th><th scope="col"></th></tr></thead>
          <tbody>${this.items.map((r) => html`<tr data-file=${r.file}>
            <td class="mono">${r.file}</td><td>${r.os}/${r.arch}</td><td>${r.version}</td>
            <td class="channel">${badge(r.channel)}</td>
            <td>${r.rollout ? `${r.rollout.percent}%${r.rollout.paused ? ' (paused' + (r.rollout.pause_reason ? ': ' + r.rollout.pause_reason : '') + ')' : ''}` : '—'}</td>
            <td>${r.agents ? `${r.agents.running} / ${r.agents.pending} / ${r.agents.failed}` : '—'}</td>
            <td>${r.offerable ? (r.signed ? 'signed' : 'unsigned') : html`${badge('problem')} ${(r.problems ?? []).join('; ')}`}</td>
            <td>${r.channel === 'beta'
              ? html`<button type="button" class="promote" @click=${() => this.setChannel(r, 'stable')}>Promote to stable</button>`
              : html`<button type="button" class="demote" @click=${() => this.setChannel(r, 'beta')}>Move to beta</button>`}</td>
          </tr>`)}</tbody>
        </table></div>`}
      </section>`;
  }
}
customElements.define('guru-releases', GuruReleases);

class GuruUsers extends ListPage {
  static properties = {
    message: { state: true },
  };

  constructor() {
    super('/api/users');
    this.message = '';
  }

  async create(event) {
    event.preventDefault();
    const f = event.target;
    this.message = '';
    const user = await this.change(() => api('POST', '/api/users', { email: f.email.value.trim(), password: f.password.value, role: f.role.value }));
    if (user) {
      this.message = `Created ${user.email} (${user.role}).`;
      f.reset();
    }
  }

  render() {
    return html`
      <section class="card">
        <h1>Users</h1>
        <form id="user-form" class="row" @submit=${this.create}>
          <label>Email <input name="email" id="user-email" type="email" required autocomplete="off"></label>
          <label>Password <input name="password" id="user-password" type="password" required autocomplete="new-password"></label>
          <label>Role <select name="role" id="user-role">
            <option value="viewer">viewer (read only)</option>
            <option value="technician" selected>technician (runs commands)</option>
            <option value="admin">admin</option>
          </select></label>
          <button type="submit" class="primary">Create user</button>
        </form>
        ${errorBox(this.error)}
        ${this.message ? html`<p class="notice" role="status">${this.message}</p>` : nothing}
      </section>
      <section class="card">
        <h2>All users</h2>
        ${this.items === null ? html`<p class="muted">Loading…</p>` : html`
        <table id="users-table">
          <thead><tr><th scope="col">Email</th><th scope="col">Role</th></tr></thead>
          <tbody>${this.items.map((u) => html`<tr><td>${u.email}</td><td>${u.role}</td></tr>`)}</tbody>
        </table>`}
      </section>`;
  }
}
customElements.define('guru-users', GuruUsers);

const AUDIT_PAGE = 100;

class GuruAudit extends LightElement {
  static properties = {
    entries: { state: true },
    action: { state: true },
    more: { state: true },
    error: { state: true },
  };

  constructor() {
    super();
    this.entries = null;
    this.action = '';
    this.more = false;
    this.error = '';
  }

  connectedCallback() {
    super.connectedCallback();
    this.load(false);
  }

  /** Newest first; "Older" pages back with before=<smallest id shown>. */
  async load(older) {
    const params = new URLSearchParams({ limit: String(AUDIT_PAGE) });
    if (this.action) params.set('action', this.action);
    if (older && this.entries?.length) params.set('before', String(this.entries[this.entries.length - 1].id));
    try {
      const page = await api('GET', `/api/audit?${params}`);
      this.entries = older ? [...this.entries, ...page] : page;
      this.more = page.length === AUDIT_PAGE;
      this.error = '';
    } catch (e) {
      this.error = e.message;
    }
  }

  filter(event) {
    event.preventDefault();
    this.action = event.target.action.value.trim();
    this.load(false);
  }

  render() {
    return html`
      <section class="card">
        <h1>Audit log</h1>
        <form class="row" id="audit-form" @submit=${this.filter}>
          <label>Action <input name="action" id="audit-action" placeholder="e.g. command.create"></label>
          <button type="submit">Filter</button>
        </form>
        ${errorBox(this.error)}
        ${this.entries === null ? html`<p class="muted">Loading…</p>` : html`
        <div class="table-wrap"><table id="audit-table">
          <thead><tr><th scope="col">Time</th><th scope="col">Actor</th><th scope="col">Action</th>
            <th scope="col">Target</th><th scope="col">Detail</th></tr></thead>
          <tbody>${this.entries.map((e) => html`<tr>
            <td>${formatTime(e.at)}</td><td>${e.actor}</td><td class="mono">${e.action}</td>
            <td class="mono">${e.target ?? ''}</td><td class="detail">${e.detail ?? ''}</td></tr>`)}</tbody>
        </table></div>
        ${this.more ? html`<button type="button" id="audit-older" @click=${() => this.load(true)}>Older entries</button>` : nothing}`}
      </section>`;
  }
}
customElements.define('guru-audit', GuruAudit);
