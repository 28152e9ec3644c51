// Alerts: filters, acknowledge/resolve, live through the event stream; maintenance windows below.
import { html, nothing } from 'lit';
import { acknowledgeAlert, createMaintenanceWindow, deleteMaintenanceWindow, listAlerts, listMaintenanceWindows, resolveAlert }
  from '../api/alerts.js';
import { subscribe } from '../api/events.js';
import { LightElement, badge, canRun, errorBox, formatTime } from '../ui.js';

class GuruAlerts extends LightElement {
  static properties = {
    user: { attribute: false },
    alerts: { state: true },
    windows: { state: true },
    error: { state: true },
    filters: { state: true },
  };

  constructor() {
    super();
    this.alerts = null;
    this.windows = [];
    this.error = '';
    this.filters = { state: 'active', severity: '', check: '', agent: '' };
    this.onHash = () => this.followHash();
  }

  /** #/agents/:id/alerts shows that agent's alerts (the fleet page's alerts column links here); #/alerts all of them. */
  static agentOf(hash) {
    const m = /^#\/agents\/([^/]+)\/alerts$/.exec(hash);
    return m ? decodeURIComponent(m[1]) : '';
  }

  followHash() {
    const agent = GuruAlerts.agentOf(location.hash);
    if (agent === this.filters.agent) return;
    this.filters = { ...this.filters, agent };
    this.load();
  }

  connectedCallback() {
    super.connectedCallback();
    this.filters = { ...this.filters, agent: GuruAlerts.agentOf(location.hash) };
    window.addEventListener('hashchange', this.onHash);
    this.load();
    this.unsubscribe = subscribe(['alert.changed'], () => this.load(), () => this.load());
  }

  disconnectedCallback() {
    window.removeEventListener('hashchange', this.onHash);
    this.unsubscribe?.();
    super.disconnectedCallback();
  }

  async load() {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(this.filters)) if (v) params.set(k, v);
    try {
      [this.alerts, this.windows] = await Promise.all([listAlerts(params), listMaintenanceWindows()]);
    } catch (e) {
      this.error = e.message;
    }
  }

  filter(event) {
    event.preventDefault();
    const f = event.target.closest('form');
    this.filters = { state: f.state.value, severity: f.severity.value, check: f.check.value.trim(), agent: this.filters.agent };
    this.load();
  }

  async act(fn) {
    this.error = '';
    try {
      await fn();
    } catch (e) {
      this.error = e.message;
    }
    await this.load();
  }

  addWindow(event) {
    event.preventDefault();
    const f = event.target;
    const target = f.target.value.trim();
    const hours = Number.parseFloat(f.hours.value);
    const isId = /^[0-9a-f-]{36}$/i.test(target);
    const body = { ends_at: new Date(Date.now() + hours * 3600_000).toISOString(), reason: f.reason.value.trim() || undefined };
    if (isId) body.agent_id = target; else body.site = target;
    this.act(() => createMaintenanceWindow(body)).then(() => { if (!this.error) f.reset(); });
  }

  render() {
    const tech = canRun(this.user);
    return html`
      <section class="card">
        <h1>Alerts</h1>
        ${this.filters.agent ? html`<p id="alert-agent-filter">Agent <a href="#/agents/${this.filters.agent}">${this.filters.agent}</a>
          · <a href="#/alerts">all agents</a></p>` : nothing}
        <form class="row" id="alert-filters" @submit=${this.filter} @change=${this.filter}>
          <label>State <select name="state" id="alert-state">
            ${['active', 'open', 'acknowledged', 'resolved', ''].map((s) => html`<option value=${s} ?selected=${this.filters.state === s}>${s || 'any'}</option>`)}
          </select></label>
          <label>Severity <select name="severity" id="alert-severity">
            ${['', 'critical', 'warning', 'info'].map((s) => html`<option value=${s} ?selected=${this.filters.severity === s}>${s || 'any'}</option>`)}
          </select></label>
          <label>Check <input name="check" id="alert-check" maxlength="200" placeholder="check key"></label>
          <button type="submit">Filter</button>
        </form>
        ${errorBox(this.error)}
        ${this.alerts === null ? html`<p class="muted">Loading…</p>` : this.alerts.length === 0
          ? html`<p class="muted" id="no-alerts">No alerts match.</p>` : html`
        <div class="table-wrap"><table id="alerts-table">
          <thead><tr><th scope="col">Severity</th><th scope="col">State</th><th scope="col">Agent</th><th scope="col">Alert</th>
            <th scope="col">Value</th><th scope="col">Times</th><th scope="col">Opened</th><th scope="col"></th></tr></thead>
          <tbody>${this.alerts.map((a) => html`<tr data-alert-id=${a.id} data-check=${a.check_key}>
            <td>${badge(a.severity)}</td>
            <td>${badge(a.state)}${a.silenced ? html` <span class="badge" title="raised during a maintenance window: not notified">silenced</span>` : nothing}</td>
            <td><a href="#/agents/${a.agent_id}">${a.hostname ?? a.agent_id}</a></td>
            <td><strong>${a.title}</strong><div class="muted">${a.message}</div></td>
            <td class="mono">${a.last_value ?? '—'}</td>
            <td>${a.occurrences}</td>
            <td>${formatTime(a.opened_at)}${a.acknowledged_by ? html`<div class="muted">ack: ${a.acknowledged_by}</div>` : nothing}
              ${a.resolved_by ? html`<div class="muted">resolved: ${a.resolved_by}</div>` : nothing}</td>
            <td>${tech && a.state === 'open' ? html`<button type="button" class="ack" @click=${() => this.act(() => acknowledgeAlert(a.id))}>Acknowledge</button>` : nothing}
              ${tech && a.state !== 'resolved' ? html`<button type="button" class="resolve" @click=${() => this.act(() => resolveAlert(a.id))}>Resolve</button>` : nothing}</td>
          </tr>`)}</tbody>
        </table></div>`}
      </section>
      <section class="card">
        <h2>Maintenance windows</h2>
        <p class="muted">During a window, alerts on the agent or site are still recorded but marked silenced and not notified.</p>
        ${tech ? html`<form class="row" id="window-form" @submit=${this.addWindow}>
          <label>Agent id or site <input name="target" id="window-target" required maxlength="200"></label>
          <label>Hours <input name="hours" id="window-hours" type="number" min="0.1" step="0.1" value="2" required></label>
          <label>Reason <input name="reason" id="window-reason" maxlength="500"></label>
          <button type="submit" class="primary">Add window</button>
        </form>` : nothing}
        <div class="table-wrap"><table id="windows-table">
          <thead><tr><th scope="col">Covers</th><th scope="col">From</th><th scope="col">Until</th><th scope="col">Reason</th><th scope="col"></th></tr></thead>
          <tbody>${this.windows.map((w) => html`<tr data-window-id=${w.id}>
            <td>${w.agent_id ? html`agent <a href="#/agents/${w.agent_id}">${w.agent_id}</a>` : html`site ${w.site}`} ${w.active ? badge('active') : nothing}</td>
            <td>${formatTime(w.starts_at)}</td><td>${formatTime(w.ends_at)}</td><td>${w.reason ?? ''}</td>
            <td>${tech ? html`<button type="button" class="danger" @click=${() => this.act(() => deleteMaintenanceWindow(w.id))}>Delete</button>` : nothing}</td>
          </tr>`)}</tbody>
        </table></div>
      </section>`;
  }
}
customElements.define('guru-alerts', GuruAlerts);
