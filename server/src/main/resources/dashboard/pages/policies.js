// Policies: bundles of checks and scheduled tasks, assigned to the fleet (admin), a client or a
// site, with per-agent exclusions. The agent page shows what applies and where it comes from.
import { html, nothing } from 'lit';
import { assignPolicy, createPolicy, deletePolicy, includeAgent, listPolicies, unassignPolicy } from '../api/scripts.js';
import { listClients, listSites } from '../api/tenancy.js';
import { canRun, errorBox, isAdmin } from '../ui.js';
import { ListPage } from './list-page.js';

class GuruPolicies extends ListPage {
  static properties = {
    user: { attribute: false },
    sites: { state: true },
    clients: { state: true },
  };

  constructor() {
    super(listPolicies);
    this.sites = [];
    this.clients = [];
  }

  connectedCallback() {
    super.connectedCallback();
    listSites().then((s) => { this.sites = s; }).catch(() => {});
    listClients().then((c) => { this.clients = c; }).catch(() => {});
  }

  async add(event) {
    event.preventDefault();
    const f = event.target;
    let checks;
    try {
      checks = f.checks.value.trim() ? JSON.parse(f.checks.value) : [];
    } catch (e) {
      this.error = `Checks must be a JSON list of checks (as for POST /api/checks, without scope): ${e.message}`;
      return;
    }
    if (await this.change(() => createPolicy({ name: f.name.value, description: f.description.value || undefined, checks }))) f.reset();
  }

  async assign(event, policy) {
    event.preventDefault();
    const f = event.target;
    const level = f.level.value;
    const body = { level };
    if (level === 'client') body.client_id = f.client.value;
    if (level === 'site') body.site_id = f.site.value;
    await this.change(() => assignPolicy(policy.id, body));
  }

  place(a) {
    if (a.level === 'fleet') return 'whole fleet';
    if (a.level === 'client') return `client ${this.clients.find((c) => c.id === a.client_id)?.name ?? a.client_id}`;
    const s = this.sites.find((x) => x.id === a.site_id);
    return `site ${s ? `${s.client_name} / ${s.name}` : a.site_id}`;
  }

  render() {
    const tech = canRun(this.user);
    return html`
      <section class="card">
        <h1>Policies</h1>
        <p class="muted">A policy applies its checks and tasks to every agent where it is assigned (fleet, client, site), except excluded agents.</p>
        ${tech ? html`<h2>New policy</h2><form class="row" id="policy-form" @submit=${this.add}>
          <label>Name <input name="name" id="policy-name" required></label>
          <label class="wide">Description <input name="description" id="policy-description"></label>
          <label class="wide">Checks (JSON) <textarea name="checks" id="policy-checks" rows="3" class="mono"
            placeholder='[{"kind":"service","service":"nginx"}]'></textarea></label>
          <button type="submit" class="primary" id="policy-create">Create policy</button></form>` : nothing}
        ${errorBox(this.error)}
      </section>
      ${this.items === null ? html`<p class="muted">Loading…</p>` : this.items.map((p) => html`
        <section class="card policy" data-policy-id=${p.id}>
          <h2>${p.name}</h2>${p.description ? html`<p>${p.description}</p>` : nothing}
          <p><strong>Checks:</strong> ${p.checks.length ? p.checks.map((c) => `${c.key} (${c.kind})`).join(', ') : 'none'}</p>
          <p><strong>Tasks:</strong> ${p.tasks.length ? p.tasks.map((t) => `${t.name} (${t.script_name ?? t.script_id})`).join(', ') : 'none'}</p>
          <p><strong>Assigned to:</strong></p>
          <ul class="assignments">${p.assignments.map((a) => html`<li data-assignment-id=${a.id}>${this.place(a)}
            ${tech ? html`<button type="button" class="link" @click=${() => this.change(() => unassignPolicy(p.id, a.id))}>remove</button>` : nothing}</li>`)}
            ${p.assignments.length === 0 ? html`<li class="muted">nowhere yet</li>` : nothing}</ul>
          ${p.excluded_agent_ids.length ? html`<p><strong>Excluded agents:</strong> ${p.excluded_agent_ids.map((id) => html`<a href="#/agents/${id}">${id.slice(0, 8)}</a>
            ${tech ? html`<button type="button" class="link" @click=${() => this.change(() => includeAgent(p.id, id))}>include</button>` : nothing} `)}</p>` : nothing}
          ${tech ? html`<form class="row assign" @submit=${(e) => this.assign(e, p)}>
            <label>Level <select name="level">${isAdmin(this.user) ? html`<option value="fleet">fleet</option>` : nothing}
              <option value="client">client</option><option value="site" selected>site</option></select></label>
            <label>Client <select name="client">${this.clients.map((c) => html`<option value=${c.id}>${c.name}</option>`)}</select></label>
            <label>Site <select name="site">${this.sites.map((s) => html`<option value=${s.id}>${s.client_name} / ${s.name}</option>`)}</select></label>
            <button type="submit">Assign</button>
            <button type="button" class="danger" @click=${() => window.confirm(`Delete policy ${p.name}?`) && this.change(() => deletePolicy(p.id))}>Delete</button>
          </form>` : nothing}
        </section>`)}`;
  }
}
customElements.define('guru-policies', GuruPolicies);
