// Checks: what is watched, at which scope (fleet, site, agent), and a form to add the common kinds.
import { html, nothing } from 'lit';
import { createCheck, deleteCheck, listChecks, updateCheck } from '../api/checks.js';
import { badge, canRun, errorBox, isAdmin } from '../ui.js';
import { ListPage } from './list-page.js';

const FIELDS = {
  metric_threshold: ['metric', 'operator', 'threshold', 'duration'],
  agent_offline: ['minutes'],
  service: ['service', 'interval_minutes'],
  process: ['process', 'interval_minutes'],
  tcp_port: ['host', 'port', 'interval_minutes'],
  http: ['url', 'expected_status', 'interval_minutes'],
  pending_updates_older_than_days: ['days', 'interval_minutes'],
  reboot_required: ['interval_minutes'],
  script: ['script_type', 'script', 'interval_minutes'],
};
const NUMBERS = new Set(['threshold', 'minutes', 'port', 'expected_status', 'days', 'interval_minutes']);

function target(c) {
  switch (c.kind) {
    case 'metric_threshold': return `${c.metric} ${c.operator} ${c.threshold}${c.duration && c.duration !== '0s' ? ` for ${c.duration}` : ''}`;
    case 'agent_offline': return `offline ${c.minutes} min`;
    case 'service': return c.service;
    case 'process': return c.process;
    case 'tcp_port': return `${c.host}:${c.port}`;
    case 'http': return c.url;
    case 'pending_updates_older_than_days': return `${c.days} days`;
    default: return '';
  }
}

class GuruChecks extends ListPage {
  static properties = {
    user: { attribute: false },
    kind: { state: true },
  };

  constructor() {
    super(listChecks);
    this.kind = 'metric_threshold';
  }

  async add(event) {
    event.preventDefault();
    const f = event.target;
    const body = { kind: f.kind.value, severity: f.severity.value };
    if (f.key.value.trim()) body.key = f.key.value.trim();
    const scope = f.scope.value.trim();
    if (/^[0-9a-f-]{36}$/i.test(scope)) body.agent_id = scope;
    else if (scope) body.site = scope;
    else body.scope = 'fleet';
    for (const name of FIELDS[body.kind]) {
      const v = f[name]?.value?.trim();
      if (v) body[name] = NUMBERS.has(name) ? Number(v) : v;
    }
    if (await this.change(() => createCheck(body))) f.reset();
    this.kind = 'metric_threshold';
  }

  field(name) {
    const label = name.replace(/_/g, ' ');
    if (name === 'operator') return html`<label>Operator <select name="operator" id="check-operator"><option value="&gt;">&gt;</option><option value="&lt;">&lt;</option></select></label>`;
    if (name === 'script') return html`<label class="wide">Script <textarea name="script" id="check-script" rows="3"></textarea></label>`;
    return html`<label>${label} <input name=${name} id="check-${name.replace(/_/g, '-')}" ?required=${!['interval_minutes', 'duration', 'expected_status'].includes(name)}
      placeholder=${name === 'metric' ? 'disk.percent:/' : name === 'duration' ? '5m' : name === 'script_type' ? 'bash' : ''}></label>`;
  }

  render() {
    const tech = canRun(this.user);
    return html`
      <section class="card">
        <h1>Checks</h1>
        <p class="muted">Fleet-wide checks apply to every agent; a site or agent check with the same key replaces (or, disabled, switches off) the inherited one.</p>
        ${tech ? html`<form class="row" id="check-form" @submit=${this.add}>
          <label>Kind <select name="kind" id="check-kind" @change=${(e) => { this.kind = e.target.value; }}>
            ${Object.keys(FIELDS).map((k) => html`<option value=${k} ?selected=${this.kind === k}>${k}</option>`)}</select></label>
          <label>Scope <input name="scope" id="check-scope" placeholder=${isAdmin(this.user) ? 'empty = fleet; a site or agent id' : 'a site or agent id'}></label>
          <label>Key <input name="key" id="check-key" placeholder="derived"></label>
          <label>Severity <select name="severity" id="check-severity"><option value="warning">warning</option><option value="critical">critical</option><option value="info">info</option></select></label>
          ${FIELDS[this.kind].map((n) => this.field(n))}
          <button type="submit" class="primary" id="check-add">Add check</button>
        </form>` : nothing}
        ${errorBox(this.error)}
      </section>
      <section class="card">
        ${this.items === null ? html`<p class="muted">Loading…</p>` : html`
        <div class="table-wrap"><table id="checks-table">
          <thead><tr><th scope="col">Key</th><th scope="col">Kind</th><th scope="col">Scope</th><th scope="col">Watches</th>
            <th scope="col">Severity</th><th scope="col">Enabled</th><th scope="col"></th></tr></thead>
          <tbody>${this.items.map((c) => html`<tr data-check-id=${c.id} data-key=${c.key}>
            <td class="mono">${c.key}</td><td>${c.kind}</td>
            <td>${c.scope}${c.site ? html` ${c.site}` : nothing}${c.agent_id ? html` <a href="#/agents/${c.agent_id}">${c.agent_id.slice(0, 8)}</a>` : nothing}</td>
            <td>${target(c)}</td><td>${badge(c.severity)}</td><td>${c.enabled ? 'yes' : 'no'}</td>
            <td>${tech ? html`<button type="button" class="toggle" @click=${() => this.change(() => updateCheck(c.id, { enabled: !c.enabled }))}>${c.enabled ? 'Disable' : 'Enable'}</button>
              <button type="button" class="danger delete" @click=${() => window.confirm(`Delete check ${c.key}?`) && this.change(() => deleteCheck(c.id))}>Delete</button>` : nothing}</td>
          </tr>`)}</tbody>
        </table></div>`}
      </section>`;
  }
}
customElements.define('guru-checks', GuruChecks);
