// Enrollment tokens: create (the token is shown once), list, revoke.
import { html, nothing } from 'lit';
import { createEnrollmentToken, listEnrollmentTokens, revokeEnrollmentToken } from '../api/enrollment-tokens.js';
import { LightElement, badge, errorBox, formatTime } from '../ui.js';
import { ListPage, optionalInt } from './list-page.js';

class GuruTokens extends ListPage {
  static properties = {
    created: { state: true },
    copied: { state: true },
  };

  constructor() {
    super(listEnrollmentTokens);
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
    const created = await this.change(() => createEnrollmentToken(body));
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
    await this.change(() => revokeEnrollmentToken(token.id));
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
