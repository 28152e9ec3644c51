// The script library: saved scripts with typed parameters, each edit a new version; running one
// (parameters filled in a form built from their types) on agents, a site or a client, with each
// agent's result; the script's runs.
import { html, nothing } from 'lit';
import { createScript, deleteScript, getBatch, getScript, listScripts, runScript, scriptRuns, updateScript } from '../api/scripts.js';
import { listClients, listSites } from '../api/tenancy.js';
import { Poller, badge, canRun, errorBox, formatTime } from '../ui.js';
import { formatParameters, parameterInputs, parameterValues, parseParameters, targetBody, targetInputs } from './automation-common.js';
import { ListPage } from './list-page.js';

const TYPES = ['bash', 'sh', 'powershell', 'cmd', 'python'];

class GuruScripts extends ListPage {
  static properties = {
    user: { attribute: false },
    selected: { state: true },
    runs: { state: true },
    batch: { state: true },
    sites: { state: true },
    clients: { state: true },
  };

  constructor() {
    super(listScripts);
    this.selected = null;
    this.runs = [];
    this.batch = null;
    this.sites = [];
    this.clients = [];
    this.poller = new Poller(() => this.refreshBatch(), 1500);
  }

  connectedCallback() {
    super.connectedCallback();
    listSites().then((s) => { this.sites = s; }).catch(() => {});
    listClients().then((c) => { this.clients = c; }).catch(() => {});
  }

  disconnectedCallback() {
    this.poller.stop();
    super.disconnectedCallback();
  }

  async open(id) {
    this.error = '';
    try {
      this.selected = await getScript(id);
      this.runs = await scriptRuns(id);
      this.batch = null;
    } catch (e) {
      this.error = e.message;
    }
  }

  async add(event) {
    event.preventDefault();
    const f = event.target;
    const body = {
      name: f.name.value, command_type: f.type.value, command: f.command.value, parameters: parseParameters(f.parameters.value),
      description: f.description.value || undefined, category: f.category.value || undefined,
      supported_os: f.os.value ? f.os.value.split(',').map((s) => s.trim()).filter(Boolean) : undefined,
    };
    const created = await this.change(() => createScript(body));
    if (created) {
      f.reset();
      await this.open(created.id);
    }
  }

  async save(event) {
    event.preventDefault();
    const f = event.target;
    const saved = await this.change(() => updateScript(this.selected.id, {
      command: f['edit-command'].value, parameters: parseParameters(f['edit-parameters'].value),
    }));
    if (saved) this.selected = saved;
  }

  async run(event) {
    event.preventDefault();
    const f = event.target;
    const body = { ...targetBody(f), parameters: parameterValues(f, this.selected.parameters) };
    const submitted = await this.change(() => runScript(this.selected.id, body));
    if (submitted) {
      this.batch = await getBatch(submitted.batch_id);
      this.runs = await scriptRuns(this.selected.id);
      this.poller.start();
    }
  }

  async refreshBatch() {
    if (!this.batch) return;
    this.batch = await getBatch(this.batch.id);
    if (this.batch.done) {
      this.poller.stop();
      this.runs = await scriptRuns(this.selected.id);
    }
  }

  detail(s) {
    const tech = canRun(this.user);
    return html`<section class="card" id="script-detail" data-script-id=${s.id}>
      <h2>${s.name} <span class="muted" id="script-version">v${s.version}</span></h2>
      <p class="muted">${s.command_type} · ${s.context} · timeout ${s.timeout_seconds} s · ${s.supported_os.length ? s.supported_os.join(', ') : 'any OS'}
        · parameters reach the script as GURURMM_PARAM_&lt;NAME&gt;</p>
      <form id="script-edit" @submit=${this.save}>
        <label class="wide">Script <textarea name="edit-command" id="edit-command" rows="8" class="mono" ?readonly=${!tech} .value=${s.command}></textarea></label>
        <label class="wide">Parameters <textarea name="edit-parameters" id="edit-parameters" rows="3" class="mono" ?readonly=${!tech}
          .value=${formatParameters(s.parameters)}></textarea></label>
        ${tech ? html`<button type="submit" id="script-save">Save as new version</button>
          <button type="button" class="danger" id="script-delete" @click=${() => window.confirm(`Delete script ${s.name}?`)
            && this.change(() => deleteScript(s.id)).then(() => { this.selected = null; })}>Delete</button>` : nothing}
      </form>
      ${tech ? html`<h3>Run</h3><form class="row" id="script-run" @submit=${this.run}>
        ${parameterInputs(s.parameters)}${targetInputs(this.sites, this.clients)}
        <button type="submit" class="primary" id="script-run-button">Run</button></form>` : nothing}
      ${this.batch ? html`<h3>Results <span class="muted">batch ${this.batch.id.slice(0, 8)}${this.batch.done ? '' : ' (running)'}</span></h3>
        <div class="table-wrap"><table id="run-results"><thead><tr><th scope="col">Agent</th><th scope="col">Status</th><th scope="col">Exit</th>
          <th scope="col">Output</th></tr></thead>
        <tbody>${(this.batch.results ?? []).map((r) => html`<tr data-agent-id=${r.agent_id}><td><a href="#/agents/${r.agent_id}">${r.agent_id.slice(0, 8)}</a></td>
          <td>${badge(r.status)}</td><td>${r.exit_code ?? ''}</td><td><pre class="output">${r.stdout ?? ''}${r.stderr ?? ''}${r.error ?? ''}</pre></td></tr>`)}</tbody></table></div>` : nothing}
      <h3>Runs</h3>
      ${this.runs.length === 0 ? html`<p class="muted">No runs yet.</p>` : html`<div class="table-wrap"><table id="script-runs">
        <thead><tr><th scope="col">When</th><th scope="col">Version</th><th scope="col">By</th><th scope="col">Agents</th><th scope="col">Counts</th><th scope="col">Schedule</th></tr></thead>
        <tbody>${this.runs.map((r) => html`<tr><td>${formatTime(r.created_at)}</td><td>v${r.script_version}</td><td>${r.created_by}</td>
          <td>${r.agent_count}</td><td>${Object.entries(r.counts).map(([k, v]) => `${k} ${v}`).join(', ')}</td><td>${r.schedule_id ? r.schedule_id.slice(0, 8) : ''}</td></tr>`)}</tbody>
      </table></div>`}
    </section>`;
  }

  render() {
    const tech = canRun(this.user);
    return html`
      <section class="card">
        <h1>Scripts</h1>
        ${tech ? html`<h2>New script</h2><form class="row" id="script-form" @submit=${this.add}>
          <label>Name <input name="name" id="script-name" required></label>
          <label>Type <select name="type" id="script-type">${TYPES.map((t) => html`<option value=${t}>${t}</option>`)}</select></label>
          <label>Category <input name="category" id="script-category"></label>
          <label>OS <input name="os" id="script-os" placeholder="linux,windows,macos (empty: any)"></label>
          <label class="wide">Description <input name="description" id="script-description"></label>
          <label class="wide">Script <textarea name="command" id="script-command" rows="6" class="mono" required></textarea></label>
          <label class="wide">Parameters, one per line <textarea name="parameters" id="script-parameters" rows="3" class="mono"
            placeholder="path:string:required&#10;days:number=7&#10;mode:choice/fast|safe"></textarea></label>
          <button type="submit" class="primary" id="script-create">Save script</button></form>` : nothing}
        ${errorBox(this.error)}
      </section>
      ${this.selected ? this.detail(this.selected) : nothing}
      <section class="card">
        ${this.items === null ? html`<p class="muted">Loading…</p>` : html`<div class="table-wrap"><table id="scripts-table">
          <thead><tr><th scope="col">Name</th><th scope="col">Type</th><th scope="col">Category</th><th scope="col">Version</th>
            <th scope="col">Parameters</th><th scope="col">OS</th><th scope="col"></th></tr></thead>
          <tbody>${this.items.map((s) => html`<tr data-script-id=${s.id}><td>${s.name}</td><td>${s.command_type}</td><td>${s.category ?? ''}</td>
            <td>v${s.version}</td><td class="mono">${s.parameters.map((p) => p.name).join(', ')}</td>
            <td>${s.supported_os.length ? s.supported_os.join(', ') : 'any'}</td>
            <td><button type="button" class="link open" @click=${() => this.open(s.id)}>Open</button></td></tr>`)}</tbody>
        </table></div>`}
      </section>`;
  }
}
customElements.define('guru-scripts', GuruScripts);
