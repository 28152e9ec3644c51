// The fleet: every agent from GET /api/agents (the caller's scope), filtered by client, site, status, OS
// and text, and sorted, in the browser.
// A fleet can hold 10,000 agents, so the table renders a page of rows at a time ("Show more")
// and the filtered/sorted list is recomputed only when the data or a filter changes.
import { html, nothing } from 'lit';
import { listAgents } from '../api/agents.js';
import { alertCountsByAgent } from '../api/alerts.js';
import { subscribe } from '../api/events.js';
import { LightElement, Poller, badge, errorBox, formatTime, relativeTime, serverHostBadge } from '../ui.js';

const PAGE = 200;
// Presence arrives as events and is applied in place; the full list is re-read only this often
// (new agents, renamed hosts, versions) and whenever the event stream says it lost track.
const REFRESH_MS = 60000;

const COLUMNS = [
  ['hostname', 'Hostname'],
  ['status', 'Status'],
  ['os', 'OS'],
  ['arch', 'Arch'],
  ['version', 'Version'],
  ['channel', 'Channel'],
  ['client_name', 'Client'],
  ['site', 'Site'],
  ['last_seen', 'Last seen'],
  ['_cpu', 'CPU'],
  ['_mem', 'Memory'],
  ['_disk', 'Disk'],
  ['_alerts', 'Alerts'],
];

// Worst severity first, then more alerts: the sort value of the alerts column (0 = none).
const SEVERITY_RANK = { info: 1, warning: 2, critical: 3 };

/** Sets each agent's alerts column from GET /api/alerts/counts?by=agent (only agents with unresolved alerts are listed). */
function applyAlertCounts(agents, counts) {
  const byAgent = new Map(counts.map((c) => [c.agent_id, c]));
  for (const a of agents) {
    const c = byAgent.get(a.id);
    a._alertCount = c ? c.open + c.acknowledged : 0;
    a._alertWorst = c?.worst_severity ?? '';
    a._alerts = c ? (SEVERITY_RANK[c.worst_severity] ?? 0) * 1e6 + a._alertCount : 0;
  }
}

/** The fleet's metric columns from the agent's newest sample (`metrics` in GET /api/agents); -1 = none. */
function latest(a) {
  const v = a.metrics?.values ?? {};
  const disks = Object.keys(v).filter((k) => k.startsWith('disk.percent:')).map((k) => v[k]);
  a._cpu = v['cpu.percent'] ?? -1;
  a._mem = v['memory.percent'] ?? -1;
  a._disk = disks.length ? Math.max(...disks) : -1;
}

const percent = (value) => (value < 0 ? '' : `${value.toFixed(0)} %`);

/** Numeric-aware comparison so "0.6.51" sorts after "0.6.9" and "pc10" after "pc9". */
const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });

function compare(key) {
  if (key.startsWith('_')) {
    return (a, b) => (a[key] - b[key]) || collator.compare(a.hostname ?? '', b.hostname ?? '');
  }
  if (key === 'last_seen') {
    return (a, b) => (a._seen - b._seen) || collator.compare(a.hostname ?? '', b.hostname ?? '');
  }
  return (a, b) => collator.compare(a[key] ?? '', b[key] ?? '') || collator.compare(a.hostname ?? '', b.hostname ?? '');
}

class GuruFleet extends LightElement {
  static properties = {
    agents: { state: true },
    error: { state: true },
    text: { state: true },
    status: { state: true },
    os: { state: true },
    clientId: { state: true },
    siteId: { state: true },
    sortKey: { state: true },
    sortDesc: { state: true },
    limit: { state: true },
    loadedAt: { state: true },
  };

  constructor() {
    super();
    this.agents = null;
    this.error = '';
    this.text = '';
    this.status = '';
    this.os = '';
    this.clientId = '';
    this.siteId = '';
    this.sortKey = 'hostname';
    this.sortDesc = false;
    this.limit = PAGE;
    this.loadedAt = 0;
    this.cache = { key: null, rows: [] };
    this.poller = new Poller(() => this.load(), REFRESH_MS);
  }

  connectedCallback() {
    super.connectedCallback();
    this.load();
    this.poller.start();
    this.unsubscribe = subscribe(['agent.presence', 'alert.changed'],
      ({ type, data }) => (type === 'alert.changed' ? this.alertChanged() : this.presence(data)), () => this.load());
  }

  disconnectedCallback() {
    clearTimeout(this.alertTimer);
    this.poller.stop();
    this.unsubscribe?.();
    super.disconnectedCallback();
  }

  /** One agent came or went: update its row in place (no refetch of the fleet). */
  presence(event) {
    const agent = this.agents?.find((a) => a.id === event?.agent_id);
    if (!agent) {
      // An agent this page has not seen yet (just enrolled): the list is stale.
      this.load();
      return;
    }
    agent.status = event.online ? 'online' : 'offline';
    agent.last_seen = event.at;
    agent._seen = event.at ? Date.parse(event.at) : agent._seen;
    // A new array identity so the memoised filter/sort recomputes (status filter, last-seen sort).
    this.agents = [...this.agents];
  }

  /** An alert opened, changed or resolved: re-read the per-agent counts (one grouped query), at most once a second. */
  alertChanged() {
    if (this.alertTimer) return;
    this.alertTimer = setTimeout(async () => {
      this.alertTimer = null;
      if (!this.agents) return;
      try {
        applyAlertCounts(this.agents, await alertCountsByAgent());
        this.agents = [...this.agents];
      } catch (e) {
        this.error = e.message;
      }
    }, 1000);
  }

  async load() {
    try {
      const [list, counts] = await Promise.all([listAgents(), alertCountsByAgent()]);
      applyAlertCounts(list, counts);
      for (const a of list) {
        // Precomputed once per refresh so a keystroke filters 10,000 agents without re-joining strings.
        a._search = [a.hostname, a.os, a.arch, a.version, a.channel, a.client_name, a.site, a.id, a.machine_uid]
          .filter(Boolean).join(' ').toLowerCase();
        a._seen = a.last_seen ? Date.parse(a.last_seen) : 0;
        latest(a);
      }
      this.agents = list;
      this.loadedAt = Date.now();
      this.error = '';
    } catch (e) {
      // Keep showing the last good list: a refresh failure should not blank the page.
      this.error = e.message;
    }
  }

  /** Filtered and sorted agents, memoised on everything that changes them. */
  rows() {
    const key = [this.agents, this.text, this.status, this.os, this.clientId, this.siteId, this.sortKey, this.sortDesc];
    const same = this.cache.key && key.every((v, i) => v === this.cache.key[i]);
    if (same) return this.cache.rows;
    const needle = this.text.trim().toLowerCase();
    const terms = needle ? needle.split(/\s+/) : [];
    let rows = (this.agents ?? []).filter((a) =>
      (!this.status || a.status === this.status)
      && (!this.os || a.os === this.os)
      && (!this.clientId || a.client_id === this.clientId)
      && (!this.siteId || a.site_id === this.siteId)
      && terms.every((t) => a._search.includes(t)));
    rows.sort(compare(this.sortKey));
    if (this.sortDesc) rows.reverse();
    this.cache = { key, rows };
    return rows;
  }

  setFilter(name, value) {
    this[name] = value;
    if (name === 'clientId') this.siteId = ''; // a site belongs to one client
    this.limit = PAGE; // a new filter starts at the top of its result
  }

  sortBy(key) {
    if (this.sortKey === key) {
      this.sortDesc = !this.sortDesc;
    } else {
      this.sortKey = key;
      this.sortDesc = key === 'last_seen' || key.startsWith('_');
    }
  }

  header([key, label]) {
    const sorted = this.sortKey === key;
    const aria = sorted ? (this.sortDesc ? 'descending' : 'ascending') : 'none';
    return html`<th scope="col" aria-sort=${aria}>
      <button type="button" class="sort" data-sort=${key} @click=${() => this.sortBy(key)}>
        ${label}${sorted ? (this.sortDesc ? ' ▼' : ' ▲') : ''}</button></th>`;
  }

  row(a, now) {
    return html`<tr data-agent-id=${a.id}>
      <td><a class="hostname" href=${'#/agents/' + encodeURIComponent(a.id)}>${a.hostname}</a> ${serverHostBadge(a)}</td>
      <td>${badge(a.status)}</td>
      <td>${a.os}</td>
      <td>${a.arch}</td>
      <td>${a.version}</td>
      <td>${a.channel}</td>
      <td>${a.client_name ?? ''}</td>
      <td>${a.site ?? ''}</td>
      <td title=${formatTime(a.last_seen)}>${relativeTime(a.last_seen, now)}</td>
      <td class="metric" data-metric="cpu">${percent(a._cpu)}</td>
      <td class="metric" data-metric="memory">${percent(a._mem)}</td>
      <td class="metric" data-metric="disk" title="fullest disk">${percent(a._disk)}</td>
      <td class="metric" data-metric="alerts">${a._alertCount
        ? html`<a class="alert-count" data-severity=${a._alertWorst} href=${'#/agents/' + encodeURIComponent(a.id) + '/alerts'}
            title=${`${a._alertCount} unresolved, worst ${a._alertWorst}`}>${badge(a._alertWorst)} ${a._alertCount}</a>`
        : ''}</td>
    </tr>`;
  }

  render() {
    const all = this.agents ?? [];
    const rows = this.rows();
    const shown = rows.slice(0, this.limit);
    const online = all.reduce((n, a) => n + (a.status === 'online' ? 1 : 0), 0);
    const osNames = [...new Set(all.map((a) => a.os).filter(Boolean))].sort();
    // The clients and sites of the agents this user may see (the server already narrowed the list to their scope).
    const byName = (x, y) => collator.compare(x[1], y[1]);
    const clients = [...new Map(all.filter((a) => a.client_id).map((a) => [a.client_id, a.client_name])).entries()].sort(byName);
    const sites = [...new Map(all.filter((a) => a.site_id && (!this.clientId || a.client_id === this.clientId))
      .map((a) => [a.site_id, this.clientId ? a.site : `${a.client_name} / ${a.site}`])).entries()].sort(byName);
    const now = Date.now();
    return html`
      <section class="card">
        <div class="page-head">
          <h1>Fleet</h1>
          <p class="summary" id="fleet-summary" aria-live="polite">
            ${this.agents === null ? 'Loading agents…'
              : html`<span id="fleet-total">${all.length}</span> agents, <span id="fleet-online">${online}</span> online`}
          </p>
        </div>
        <div class="filters" role="search">
          <label>Filter <input id="fleet-filter" type="search" placeholder="hostname, site, version, id…"
            .value=${this.text} @input=${(e) => this.setFilter('text', e.target.value)}></label>
          <label>Status <select id="fleet-status" @change=${(e) => this.setFilter('status', e.target.value)}>
            <option value="" ?selected=${!this.status}>any</option>
            <option value="online" ?selected=${this.status === 'online'}>online</option>
            <option value="offline" ?selected=${this.status === 'offline'}>offline</option>
          </select></label>
          <label>OS <select id="fleet-os" @change=${(e) => this.setFilter('os', e.target.value)}>
            <option value="" ?selected=${!this.os}>any</option>
            ${osNames.map((os) => html`<option value=${os} ?selected=${this.os === os}>${os}</option>`)}
          </select></label>
          <label>Client <select id="fleet-client" @change=${(e) => this.setFilter('clientId', e.target.value)}>
            <option value="" ?selected=${!this.clientId}>all</option>
            ${clients.map(([id, name]) => html`<option value=${id} ?selected=${this.clientId === id}>${name}</option>`)}
          </select></label>
          <label>Site <select id="fleet-site" @change=${(e) => this.setFilter('siteId', e.target.value)}>
            <option value="" ?selected=${!this.siteId}>all</option>
            ${sites.map(([id, name]) => html`<option value=${id} ?selected=${this.siteId === id}>${name}</option>`)}
          </select></label>
        </div>
        ${errorBox(this.error)}
        <div class="table-wrap">
          <table class="agents" id="agents-table">
            <caption class="visually-hidden">Agents</caption>
            <thead><tr>${COLUMNS.map((c) => this.header(c))}</tr></thead>
            <tbody>${shown.map((a) => this.row(a, now))}</tbody>
          </table>
        </div>
        <p class="table-foot">
          <span id="fleet-shown">Showing ${shown.length} of ${rows.length} matching agents</span>
          ${rows.length > shown.length
            ? html`<button type="button" id="fleet-more" @click=${() => { this.limit += PAGE; }}>
                Show ${Math.min(PAGE, rows.length - shown.length)} more</button>`
            : nothing}
        </p>
      </section>`;
  }
}
customElements.define('guru-fleet', GuruFleet);
