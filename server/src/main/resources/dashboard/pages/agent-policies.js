// The agent page's "Policies" card: what applies to this agent, where each policy comes from
// (fleet, client or site), and the policies that exclude it (technicians can exclude or include).
import { html, nothing } from 'lit';
import { agentPolicies, excludeAgent, includeAgent } from '../api/scripts.js';
import { LightElement, canRun, errorBox, formatTime } from '../ui.js';

class GuruAgentPolicies extends LightElement {
  static properties = {
    agentId: { type: String },
    user: { attribute: false },
    data: { state: true },
    error: { state: true },
  };

  constructor() {
    super();
    this.data = null;
    this.error = '';
  }

  willUpdate(changed) {
    if (changed.has('agentId')) this.load();
  }

  async load() {
    try {
      this.data = await agentPolicies(this.agentId);
      this.error = '';
    } catch (e) {
      this.error = e.message;
    }
  }

  async act(request) {
    try {
      await request();
      await this.load();
    } catch (e) {
      this.error = e.message;
    }
  }

  row(p, excluded) {
    const tech = canRun(this.user);
    return html`<tr data-policy-id=${p.policy_id} class=${excluded ? 'excluded' : ''}>
      <td>${p.name}</td><td class="policy-source">${p.source}${excluded ? ' (excluded)' : ''}</td>
      <td>${p.checks.map((c) => c.key).join(', ')}</td>
      <td>${p.tasks.map((t) => html`<span title=${`next ${formatTime(t.next_run_at)}`}>${t.name} · ${t.timing}</span> `)}</td>
      <td>${tech ? (excluded
        ? html`<button type="button" class="link include" @click=${() => this.act(() => includeAgent(p.policy_id, this.agentId))}>Include</button>`
        : html`<button type="button" class="link exclude" @click=${() => this.act(() => excludeAgent(p.policy_id, this.agentId))}>Exclude</button>`) : nothing}</td></tr>`;
  }

  render() {
    const d = this.data;
    return html`<section class="card" aria-labelledby="policies-title" id="agent-policies">
      <h2 id="policies-title">Policies</h2>${errorBox(this.error)}
      ${!d ? html`<p class="muted">Loading…</p>` : d.applied.length + d.excluded.length === 0 ? html`<p class="muted">No policy applies to this agent.</p>` : html`
      <div class="table-wrap"><table id="agent-policies-table"><thead><tr><th scope="col">Policy</th><th scope="col">From</th><th scope="col">Checks</th>
        <th scope="col">Tasks</th><th scope="col"></th></tr></thead>
        <tbody>${d.applied.map((p) => this.row(p, false))}${d.excluded.map((p) => this.row(p, true))}</tbody></table></div>`}
    </section>`;
  }
}
customElements.define('guru-agent-policies', GuruAgentPolicies);
