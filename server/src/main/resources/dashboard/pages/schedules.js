// Scheduled tasks: a saved script on a cron expression, an interval or once, with each
// occurrence's history (status and the batch's progress).
import { html, nothing } from 'lit';
import { createSchedule, deleteSchedule, listSchedules, listScripts, scheduleRuns, updateSchedule } from '../api/scripts.js';
import { listClients, listSites } from '../api/tenancy.js';
import { badge, canRun, errorBox, formatTime } from '../ui.js';
import { parameterInputs, parameterValues, targetBody, targetInputs } from './automation-common.js';
import { ListPage } from './list-page.js';

const timing = (s) => (s.kind === 'cron' ? `cron ${s.cron} (${s.time_zone})` : s.kind === 'interval' ? `every ${s.interval_seconds} s` : `at ${formatTime(s.at)}`);

class GuruSchedules extends ListPage {
  static properties = {
    user: { attribute: false },
    scripts: { state: true },
    scriptId: { state: true },
    history: { state: true },
    sites: { state: true },
    clients: { state: true },
  };

  constructor() {
    super(listSchedules);
    this.scripts = [];
    this.scriptId = null;
    this.history = null;
    this.sites = [];
    this.clients = [];
  }

  connectedCallback() {
    super.connectedCallback();
    listScripts().then((s) => { this.scripts = s; this.scriptId = this.scriptId ?? s[0]?.id ?? null; }).catch(() => {});
    listSites().then((s) => { this.sites = s; }).catch(() => {});
    listClients().then((c) => { this.clients = c; }).catch(() => {});
  }

  get script() {
    return this.scripts.find((s) => s.id === this.scriptId);
  }

  async add(event) {
    event.preventDefault();
    const f = event.target;
    const body = { name: f.name.value || undefined, script_id: this.scriptId, parameters: parameterValues(f, this.script?.parameters), ...targetBody(f),
      time_zone: f['time-zone'].value || undefined, skip_if_missed: f['skip-if-missed'].checked };
    const when = f.when.value.trim();
    if (f['when-kind'].value === 'cron') body.cron = when;
    else if (f['when-kind'].value === 'interval') body.interval_seconds = Number(when);
    else body.at = new Date(when).toISOString();
    if (await this.change(() => createSchedule(body))) f.reset();
  }

  async showHistory(s) {
    this.error = '';
    try {
      this.history = { schedule: s, runs: await scheduleRuns(s.id) };
    } catch (e) {
      this.error = e.message;
    }
  }

  render() {
    const tech = canRun(this.user);
    return html`
      <section class="card">
        <h1>Schedules</h1>
        <p class="muted">Each occurrence runs once (also across restarts and server nodes); offline agents run it when they return, unless the schedule skips missed runs.</p>
        ${tech ? html`<h2>New schedule</h2><form class="row" id="schedule-form" @submit=${this.add}>
          <label>Script <select name="script" id="schedule-script" @change=${(e) => { this.scriptId = e.target.value; }}>
            ${this.scripts.map((s) => html`<option value=${s.id} ?selected=${s.id === this.scriptId}>${s.name} (v${s.version})</option>`)}</select></label>
          <label>Name <input name="name" id="schedule-name"></label>
          <label>When <select name="when-kind" id="schedule-when-kind"><option value="cron">cron</option><option value="interval">every N seconds</option>
            <option value="at">once at</option></select></label>
          <label>Expression <input name="when" id="schedule-when" required placeholder="*/15 * * * *  |  300  |  2030-01-01T09:00"></label>
          <label>Time zone <input name="time-zone" id="schedule-time-zone" placeholder="UTC"></label>
          <label><input type="checkbox" name="skip-if-missed" id="schedule-skip"> skip if missed</label>
          ${parameterInputs(this.script?.parameters)}${targetInputs(this.sites, this.clients)}
          <button type="submit" class="primary" id="schedule-create">Create schedule</button></form>` : nothing}
        ${errorBox(this.error)}
      </section>
      <section class="card">
        ${this.items === null ? html`<p class="muted">Loading…</p>` : html`<div class="table-wrap"><table id="schedules-table">
          <thead><tr><th scope="col">Name</th><th scope="col">Script</th><th scope="col">When</th><th scope="col">Next run</th>
            <th scope="col">Enabled</th><th scope="col">Policy</th><th scope="col"></th></tr></thead>
          <tbody>${this.items.map((s) => html`<tr data-schedule-id=${s.id}><td>${s.name}</td><td>${s.script_name ?? s.script_id} v${s.script_version}</td>
            <td>${timing(s)}</td><td>${formatTime(s.next_run_at)}</td><td>${s.enabled ? 'yes' : 'no'}</td><td>${s.policy_id ? 'yes' : ''}</td>
            <td><button type="button" class="link history" @click=${() => this.showHistory(s)}>History</button>
              ${tech && !s.policy_id ? html`<button type="button" class="toggle" @click=${() => this.change(() => updateSchedule(s.id, { enabled: !s.enabled }))}>${s.enabled ? 'Disable' : 'Enable'}</button>
              <button type="button" class="danger" @click=${() => window.confirm(`Delete schedule ${s.name}?`) && this.change(() => deleteSchedule(s.id))}>Delete</button>` : nothing}</td></tr>`)}</tbody>
        </table></div>`}
      </section>
      ${this.history ? html`<section class="card" id="schedule-history"><h2>History: ${this.history.schedule.name}</h2>
        ${this.history.runs.length === 0 ? html`<p class="muted">No occurrence yet.</p>` : html`<div class="table-wrap"><table id="schedule-runs">
          <thead><tr><th scope="col">Occurrence</th><th scope="col">Status</th><th scope="col">Agents</th><th scope="col">Progress</th><th scope="col">Message</th></tr></thead>
          <tbody>${this.history.runs.map((r) => html`<tr><td>${formatTime(r.occurrence_at)}</td><td>${badge(r.status)}</td><td>${r.agent_count ?? ''}</td>
            <td>${r.counts ? Object.entries(r.counts).map(([k, v]) => `${k} ${v}`).join(', ') : ''}</td><td>${r.message ?? ''}</td></tr>`)}</tbody>
        </table></div>`}</section>` : nothing}`;
  }
}
customElements.define('guru-schedules', GuruSchedules);
