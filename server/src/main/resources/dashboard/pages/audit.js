// The audit log, newest first, filtered and paged.
import { html, nothing } from 'lit';
import { listAudit } from '../api/audit.js';
import { LightElement, badge, errorBox, formatTime } from '../ui.js';
import { ListPage, optionalInt } from './list-page.js';

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
      const page = await listAudit(params);
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
