// Fleet-wide inventory search: software below a version, file systems low on space, pending
// updates, reboot required. The filters are the API's (GET /api/inventory/search).
import { html, nothing } from 'lit';
import { searchInventory } from '../api/inventory.js';
import { LightElement, errorBox, formatTime } from '../ui.js';

const FIELDS = [
  ['software', 'Software', 'e.g. openssl or openssl*'],
  ['version_below', 'Version below', 'e.g. 3.0.13'],
  ['filesystem_free_below_percent', 'Disk free below %', 'e.g. 10'],
  ['pending_updates_above', 'Pending updates above', 'e.g. 0'],
  ['pending_updates_older_than_days', 'Pending longer than days', 'e.g. 30'],
];

class GuruInventorySearch extends LightElement {
  static properties = {
    result: { state: true },
    error: { state: true },
  };

  constructor() {
    super();
    this.result = null;
    this.error = '';
  }

  async search(event) {
    event.preventDefault();
    const form = event.target;
    const params = new URLSearchParams();
    for (const [name] of FIELDS) {
      const value = form[name].value.trim();
      if (value) params.set(name, value);
    }
    if (form.reboot_required.checked) params.set('reboot_required', 'true');
    try {
      this.result = await searchInventory(params);
      this.error = '';
    } catch (e) {
      this.result = null;
      this.error = e.message;
    }
  }

  match(hit) {
    const parts = [];
    hit.software.forEach((s) => parts.push(`${s.name} ${s.version}`));
    hit.filesystems.forEach((f) => parts.push(`${f.mount} ${f.free_percent} % free`));
    if (hit.pending_updates) parts.push(`${hit.pending_updates} updates pending`);
    if (hit.reboot_required) parts.push('reboot required');
    return parts.join('; ');
  }

  render() {
    return html`
      <section class="card">
        <h1>Inventory search</h1>
        <p class="muted">All filled-in filters must match. Versions compare the way dpkg does (1.0~rc1 &lt; 1.0 &lt; 1.0-1).</p>
        <form class="row" id="inv-search-form" @submit=${this.search}>
          ${FIELDS.map(([name, label, hint]) => html`<label>${label} <input name=${name} id=${`inv-q-${name}`} placeholder=${hint}></label>`)}
          <label><input type="checkbox" name="reboot_required" id="inv-q-reboot_required"> Reboot required</label>
          <button type="submit" class="primary" id="inv-search">Search</button>
        </form>
        ${errorBox(this.error)}
        ${this.result === null ? nothing : html`
          <p id="inv-result-count">${this.result.results.length} ${this.result.results.length === 1 ? 'agent' : 'agents'}${this.result.truncated ? ' (more match; narrow the search)' : ''}</p>
          <div class="table-wrap"><table id="inv-results"><thead><tr><th scope="col">Agent</th><th scope="col">Site</th>
            <th scope="col">Matched</th><th scope="col">Collected</th></tr></thead>
            <tbody>${this.result.results.map((h) => html`<tr data-agent-id=${h.agent_id}>
              <td><a href="#/agents/${encodeURIComponent(h.agent_id)}/inventory">${h.hostname}</a></td><td>${h.site ?? '—'}</td>
              <td>${this.match(h)}</td><td>${formatTime(h.collected_at)}</td></tr>`)}</tbody></table></div>`}
      </section>`;
  }
}
customElements.define('guru-inventory-search', GuruInventorySearch);
