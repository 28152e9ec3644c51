// One agent's system inventory: hardware, disks, file systems, NICs, software (filterable),
// services, pending updates and the reboot flag, with a Refresh button for technicians.
import { html, nothing } from 'lit';
import { getAgent } from '../api/agents.js';
import { getInventory, refreshInventory } from '../api/inventory.js';
import { LightElement, badge, canRun, errorBox, formatTime, relativeTime } from '../ui.js';

const SHOWN = 500;

export const bytes = (n) => {
  if (n === null || n === undefined) return '—';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let v = Number(n);
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i += 1;
  }
  return `${v.toFixed(i === 0 ? 0 : 1)} ${units[i]}`;
};

class GuruAgentInventory extends LightElement {
  static properties = {
    agentId: { type: String },
    user: { attribute: false },
    agent: { state: true },
    inv: { state: true },
    missing: { state: true },
    softwareFilter: { state: true },
    serviceFilter: { state: true },
    note: { state: true },
    error: { state: true },
  };

  constructor() {
    super();
    this.inv = null;
    this.agent = null;
    this.missing = false;
    this.softwareFilter = '';
    this.serviceFilter = '';
    this.note = '';
    this.error = '';
  }

  willUpdate(changed) {
    if (changed.has('agentId')) {
      this.inv = null;
      this.load();
    }
  }

  async load() {
    const id = this.agentId;
    try {
      this.agent = await getAgent(id);
      this.inv = await getInventory(id);
      this.missing = false;
      this.error = '';
    } catch (e) {
      if (id !== this.agentId) return;
      if (e.status === 404 && this.agent) {
        this.missing = true;
      } else {
        this.error = e.message;
      }
    }
  }

  async refresh() {
    this.error = '';
    const before = this.inv?.collected_at;
    try {
      await refreshInventory(this.agentId);
      this.note = 'Asked the agent for a fresh inventory; it appears here when it arrives.';
      // Collecting takes seconds to a minute (package tools); look again for up to three minutes.
      for (let i = 0; i < 60; i += 1) {
        await new Promise((r) => setTimeout(r, 3000));
        if (!this.isConnected) return;
        await this.load();
        if (this.inv && this.inv.collected_at !== before) {
          this.note = `Inventory refreshed ${formatTime(this.inv.collected_at)}.`;
          return;
        }
      }
    } catch (e) {
      this.error = e.message;
      this.note = '';
    }
  }

  hardware(h) {
    if (!h) return html`<section class="card"><h2>Hardware</h2><p class="muted">Not reported.</p></section>`;
    const rows = [
      ['Manufacturer', h.manufacturer], ['Model', h.model], ['Serial number', h.serial_number],
      ['CPU', h.cpu_model ? `${h.cpu_model} (${h.cpu_cores ?? '?'} cores, ${h.cpu_threads ?? '?'} threads)` : null],
      ['Memory', bytes(h.memory_bytes)], ['BIOS', [h.bios_vendor, h.bios_version, h.bios_date].filter(Boolean).join(' ') || null],
    ];
    return html`<section class="card" id="inv-hardware"><h2>Hardware</h2><dl class="facts">
      ${rows.map(([k, v]) => html`<dt>${k}</dt><dd>${v ?? '—'}</dd>`)}</dl></section>`;
  }

  updates(u) {
    return html`<section class="card" id="inv-updates"><h2>Updates</h2><dl class="facts">
      <dt>Pending</dt><dd id="inv-pending">${u?.pending_count ?? 'unknown'}${u?.security_count ? ` (${u.security_count} security)` : ''}</dd>
      <dt>Pending since</dt><dd>${u?.oldest_pending_since ? `${formatTime(u.oldest_pending_since)} (${relativeTime(u.oldest_pending_since)})` : '—'}</dd>
      <dt>Source</dt><dd>${u?.source ?? '—'}</dd>
      <dt>Reboot required</dt><dd id="inv-reboot">${u?.reboot_required === true ? badge('yes') : u?.reboot_required === false ? 'no' : 'unknown'}</dd>
    </dl></section>`;
  }

  render() {
    const back = html`<p><a href="#/agents/${encodeURIComponent(this.agentId)}">← ${this.agent?.hostname ?? 'Agent'}</a></p>`;
    const refreshButton = canRun(this.user)
      ? html`<button type="button" id="inv-refresh" @click=${this.refresh}>Refresh now</button>` : nothing;
    if (this.missing) {
      return html`${back}<h1>Inventory</h1>${errorBox(this.error)}
        <p class="muted" id="inv-missing">This agent has not sent a system inventory yet.</p>${refreshButton}
        ${this.note ? html`<p id="inv-note">${this.note}</p>` : nothing}`;
    }
    const inv = this.inv;
    if (!inv) return html`${back}${this.error ? errorBox(this.error) : html`<p class="muted">Loading inventory…</p>`}`;
    const sf = this.softwareFilter.toLowerCase();
    const software = inv.software.filter((s) => !sf || s.name.toLowerCase().includes(sf));
    const vf = this.serviceFilter.toLowerCase();
    const services = inv.services.filter((s) => !vf || s.name.toLowerCase().includes(vf) || (s.display_name ?? '').toLowerCase().includes(vf));
    return html`
      ${back}
      <div class="page-head"><h1 id="inv-title">Inventory of ${this.agent?.hostname ?? inv.agent_id}</h1>${refreshButton}</div>
      <p class="muted" id="inv-collected">Collected ${formatTime(inv.collected_at)} (${relativeTime(inv.collected_at)})</p>
      ${this.note ? html`<p id="inv-note">${this.note}</p>` : nothing}
      ${errorBox(this.error)}
      ${inv.errors.length ? html`<section class="card"><h2>Could not collect</h2><ul id="inv-errors">
        ${inv.errors.map((e) => html`<li><strong>${e.collector}</strong>: ${e.error}</li>`)}</ul></section>` : nothing}
      <div class="grid">${this.hardware(inv.hardware)}${this.updates(inv.updates)}</div>
      <section class="card"><h2>Disks and file systems</h2>
        <div class="table-wrap"><table id="inv-disks"><thead><tr><th scope="col">Disk</th><th scope="col">Model</th>
          <th scope="col">Serial</th><th scope="col">Size</th></tr></thead>
          <tbody>${inv.disks.map((d) => html`<tr><td class="mono">${d.name}</td><td>${d.model ?? '—'}</td>
            <td class="mono">${d.serial ?? '—'}</td><td>${bytes(d.size_bytes)}</td></tr>`)}</tbody></table></div>
        <div class="table-wrap"><table id="inv-filesystems"><thead><tr><th scope="col">Mount</th><th scope="col">Type</th>
          <th scope="col">Size</th><th scope="col">Free</th></tr></thead>
          <tbody>${inv.filesystems.map((f) => html`<tr data-mount=${f.mount}><td class="mono">${f.mount}</td><td>${f.type ?? '—'}</td>
            <td>${bytes(f.total_bytes)}</td><td>${bytes(f.free_bytes)} (${f.free_percent} %)</td></tr>`)}</tbody></table></div>
      </section>
      <section class="card"><h2>Network interfaces</h2>
        <div class="table-wrap"><table id="inv-nics"><thead><tr><th scope="col">Name</th><th scope="col">MAC</th>
          <th scope="col">Addresses</th></tr></thead>
          <tbody>${inv.network_interfaces.map((n) => html`<tr><td>${n.name}${n.display_name && n.display_name !== n.name ? html` <span class="muted">${n.display_name}</span>` : nothing}</td>
            <td class="mono">${n.mac ?? '—'}</td><td class="mono">${n.addresses.join(', ') || '—'}</td></tr>`)}</tbody></table></div>
      </section>
      <section class="card"><h2>Software (<span id="inv-software-count">${inv.software.length}</span>)</h2>
        <label>Filter <input id="inv-software-filter" placeholder="name contains…" .value=${this.softwareFilter}
          @input=${(e) => { this.softwareFilter = e.target.value; }}></label>
        <div class="table-wrap"><table id="inv-software"><thead><tr><th scope="col">Name</th><th scope="col">Version</th>
          <th scope="col">Arch</th><th scope="col">Source</th></tr></thead>
          <tbody>${software.slice(0, SHOWN).map((s) => html`<tr data-name=${s.name}><td>${s.name}</td><td class="mono">${s.version}</td>
            <td>${s.arch ?? '—'}</td><td>${s.source}</td></tr>`)}</tbody></table></div>
        ${software.length > SHOWN ? html`<p class="muted">${software.length - SHOWN} more; narrow the filter.</p>` : nothing}
      </section>
      <section class="card"><h2>Services (${inv.services.length})</h2>
        <label>Filter <input id="inv-service-filter" placeholder="name contains…" .value=${this.serviceFilter}
          @input=${(e) => { this.serviceFilter = e.target.value; }}></label>
        <div class="table-wrap"><table id="inv-services"><thead><tr><th scope="col">Name</th><th scope="col">State</th>
          <th scope="col">Start</th><th scope="col">Description</th></tr></thead>
          <tbody>${services.slice(0, SHOWN).map((s) => html`<tr><td class="mono">${s.name}</td><td>${badge(s.state)}</td>
            <td>${s.start_mode ?? '—'}</td><td>${s.display_name ?? ''}</td></tr>`)}</tbody></table></div>
      </section>
      ${inv.software_changes.length ? html`<section class="card"><h2>Recent software changes</h2>
        <div class="table-wrap"><table id="inv-changes"><thead><tr><th scope="col">When</th><th scope="col">Change</th>
          <th scope="col">Name</th><th scope="col">From</th><th scope="col">To</th></tr></thead>
          <tbody>${inv.software_changes.map((c) => html`<tr><td>${formatTime(c.at)}</td><td>${c.event}</td><td>${c.name}</td>
            <td class="mono">${c.old_version ?? ''}</td><td class="mono">${c.new_version ?? ''}</td></tr>`)}</tbody></table></div>
      </section>` : nothing}`;
  }
}
customElements.define('guru-agent-inventory', GuruAgentInventory);
