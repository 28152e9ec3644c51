// One agent: inventory, health, self-update state, command history, and running a command.
import { html, nothing } from 'lit';
import { agentCommands, decideHeldCommands, getAgent, runCommand } from '../api/agents.js';
import { cancelCommand, followCommandOutput, getCommand } from '../api/commands.js';
import { subscribe } from '../api/events.js';
import { listSites, moveAgent } from '../api/tenancy.js';
import './metrics-charts.js';
import './agent-policies.js';
import './agent-files.js';
import { LightElement, Poller, badge, canRun, canRunOn, errorBox, formatTime, isAdmin, relativeTime, serverHostBadge } from '../ui.js';

// 'held' is polled too: an admin may release it (it was queued before the machine enrolled again).
const ACTIVE = new Set(['queued', 'held', 'running']);
const TYPES = ['bash', 'sh', 'python', 'powershell', 'cmd'];

const list = (values) => (values && values.length ? values.join(', ') : '—');

class GuruAgent extends LightElement {
  static properties = {
    agentId: { type: String },
    user: { attribute: false },
    agent: { state: true },
    commands: { state: true },
    selected: { state: true },
    error: { state: true },
    sites: { state: true },
  };

  constructor() {
    super();
    this.agent = null;
    this.commands = [];
    this.selected = null;
    this.error = '';
    this.sites = null; // loaded for admins, who may move the agent
    // Presence and command changes of this agent arrive as events; the poll is a slow safety net.
    this.poller = new Poller(() => this.load(), 30000);
  }

  connectedCallback() {
    super.connectedCallback();
    this.poller.start();
    this.unsubscribe = subscribe(['agent.presence', 'command.status'], ({ data }) => {
      if (data?.agent_id === this.agentId) this.load();
    }, () => this.load());
  }

  disconnectedCallback() {
    this.poller.stop();
    this.unsubscribe?.();
    super.disconnectedCallback();
  }

  willUpdate(changed) {
    if (changed.has('agentId')) {
      this.agent = null;
      this.commands = [];
      this.selected = null;
      this.load();
    }
  }

  async load() {
    const id = this.agentId;
    try {
      const [agent, commands] = await Promise.all([
        getAgent(id),
        agentCommands(id, 50),
      ]);
      if (id !== this.agentId) return; // the user navigated to another agent meanwhile
      this.agent = agent;
      this.commands = commands;
      if (isAdmin(this.user) && this.sites === null) this.sites = await listSites();
      this.error = '';
    } catch (e) {
      this.error = e.message;
    }
  }

  submitted(event) {
    this.selected = event.detail;
    this.load();
  }

  /** Commands held since the machine enrolled again: visible to all, released or discarded by an admin. */
  held(a) {
    if (!a.held_commands) return nothing;
    return html`<section class="card held" id="held-commands" aria-labelledby="held-title">
        <h2 id="held-title">${a.held_commands} held ${a.held_commands === 1 ? 'command' : 'commands'}</h2>
        <p>${a.hold_reason}</p>
        ${isAdmin(this.user) ? html`
          <button type="button" class="primary" id="held-release" @click=${() => this.decideHeld('release')}>Release to this agent</button>
          <button type="button" class="danger" id="held-discard" @click=${() => this.decideHeld('discard')}>Discard</button>`
          : html`<p class="muted">An admin decides whether they run.</p>`}
      </section>`;
  }

  async decideHeld(action) {
    const question = action === 'release'
      ? 'Run the held commands on the machine that enrolled now? Do this only if you know that enrolment was genuine.'
      : 'Discard the held commands? They are cancelled and never run.';
    if (!window.confirm(question)) return;
    try {
      await decideHeldCommands(this.agent.id, action);
      await this.load();
    } catch (e) {
      this.error = e.message;
    }
  }

  /** Admins move the agent to another site (audited); technicians of the old site stop seeing it at once. */
  moveControl(a) {
    const move = async (siteId) => {
      if (!siteId || siteId === a.site_id) return;
      try {
        this.agent = await moveAgent(a.id, siteId);
        this.error = '';
      } catch (e) {
        this.error = e.message;
      }
    };
    if (!this.sites) return nothing;
    return html` <select id="agent-move" aria-label="Move to site" @change=${(e) => move(e.target.value)}>
      ${this.sites.map((s) => html`<option value=${s.id} ?selected=${s.id === a.site_id}>${s.client_name} / ${s.name}</option>`)}
    </select>`;
  }

  inventory(a) {
    return html`
      <section class="card" aria-labelledby="inv-title">
        <h2 id="inv-title">Inventory</h2>
        <dl class="facts" id="inventory">
          <dt>OS</dt><dd>${a.os} ${a.arch}</dd>
          <dt>OS version</dt><dd>${a.os_version ?? '—'}</dd>
          <dt>IP addresses</dt><dd>${list(a.ip_addresses)}</dd>
          <dt>Logged-on users</dt><dd>${list(a.logged_on_users)}</dd>
          <dt>Agent version</dt><dd>${a.version} (${a.channel})</dd>
          <dt>Client</dt><dd id="agent-client">${a.client_name ?? '—'}</dd>
          <dt>Site</dt><dd id="agent-site">${a.site ?? '—'}${isAdmin(this.user) ? this.moveControl(a) : nothing}</dd>
          <dt>Machine UID</dt><dd class="mono">${a.machine_uid ?? '—'}</dd>
          <dt>Device ID</dt><dd class="mono">${a.device_id ?? '—'}</dd>
          <dt>Agent ID</dt><dd class="mono">${a.id}</dd>
          <dt>Enrolled</dt><dd>${formatTime(a.enrolled_at)} (enrolled ${a.enroll_count} ${a.enroll_count === 1 ? 'time' : 'times'})</dd>
          <dt>Last seen</dt><dd title=${formatTime(a.last_seen)}>${relativeTime(a.last_seen)}</dd>
        </dl>
      </section>`;
  }

  health(a) {
    const h = a.health;
    return html`
      <section class="card" aria-labelledby="health-title">
        <h2 id="health-title">Health</h2>
        ${!h ? html`<p class="muted">The agent has not reported its health yet.</p>` : html`
          <p id="health-state">${h.state_dir_writable
            ? html`${badge('ok')} State directory is writable.`
            : html`${badge('problem')} The agent cannot write its state directory; it may lose its identity on restart.`}</p>
          ${h.problems?.length ? html`<ul class="problems">${h.problems.map((p) => html`<li>${p}</li>`)}</ul>` : nothing}
          ${h.sandbox ? html`<p class="note" id="health-sandbox"><strong>Sandbox:</strong> ${h.sandbox}</p>` : nothing}`}
      </section>`;
  }

  selfUpdate(a) {
    const u = a.update;
    return html`
      <section class="card" aria-labelledby="update-title">
        <h2 id="update-title">Self-update</h2>
        ${!u ? html`<p class="muted" id="update-state">No self-update attempted yet.</p>` : html`
          <dl class="facts" id="update-state">
            <dt>State</dt><dd>${badge(u.state)}</dd>
            <dt>Version</dt><dd>${u.current_version ?? '?'} → ${u.target_version ?? '?'}</dd>
            <dt>File</dt><dd class="mono">${u.file ?? '—'}</dd>
            ${u.reason ? html`<dt>Reason</dt><dd>${u.reason}</dd>` : nothing}
            <dt>Attempted</dt><dd>${formatTime(u.attempted_at)}</dd>
            <dt>Updated</dt><dd>${formatTime(u.updated_at)}</dd>
          </dl>`}
      </section>`;
  }

  history() {
    return html`
      <section class="card" aria-labelledby="history-title">
        <h2 id="history-title">Command history</h2>
        ${this.commands.length === 0 ? html`<p class="muted">No commands yet.</p>` : html`
        <div class="table-wrap"><table id="command-history">
          <thead><tr><th scope="col">Created</th><th scope="col">Type</th><th scope="col">Context</th>
            <th scope="col">Status</th><th scope="col">Exit</th><th scope="col">By</th><th scope="col">Script</th><th scope="col"></th></tr></thead>
          <tbody>${this.commands.map((c) => html`<tr data-command-id=${c.id} class=${c.id === this.selected ? 'selected' : ''}>
            <td title=${formatTime(c.created_at)}>${relativeTime(c.created_at)}</td>
            <td>${c.command_type}</td><td>${c.context}</td><td>${badge(c.status)}</td>
            <td>${c.exit_code ?? ''}</td><td>${c.created_by ?? ''}</td>
            <td class="script-preview mono">${(c.command_text ?? '').split('\n')[0].slice(0, 80)}</td>
            <td><button type="button" class="link" @click=${() => { this.selected = c.id; }}>Show</button></td>
          </tr>`)}</tbody>
        </table></div>`}
      </section>`;
  }

  render() {
    const a = this.agent;
    if (!a) {
      return html`<p><a href="#/agents">← Fleet</a></p>${this.error ? errorBox(this.error) : html`<p class="muted">Loading agent…</p>`}`;
    }
    return html`
      <p><a href="#/agents">← Fleet</a></p>
      <div class="page-head"><h1 id="agent-hostname">${a.hostname}</h1><span id="agent-status">${badge(a.status)}</span>
        ${serverHostBadge(a)}<a id="agent-inventory-link" href="#/agents/${encodeURIComponent(a.id)}/inventory">System inventory</a>
        ${canRunOn(this.user, a) && a.status === 'online'
          ? html`<a class="button" id="open-terminal" href="#/agents/${encodeURIComponent(a.id)}/terminal">Terminal</a>` : nothing}</div>
      ${errorBox(this.error)}
      ${this.held(a)}
      <div class="grid">${this.inventory(a)}${this.health(a)}${this.selfUpdate(a)}</div>
      <guru-metrics-charts .agentId=${a.id}></guru-metrics-charts>
      <guru-agent-policies .agentId=${a.id} .user=${this.user}></guru-agent-policies>
      ${canRunOn(this.user, a)
        ? html`<guru-run-command .agent=${a} @command-submitted=${this.submitted}></guru-run-command>`
        : canRun(this.user)
          ? html`<p class="muted" id="server-host-note">This is the server host's own agent: only admins run commands on it.</p>`
          : html`<p class="muted">Your role (${this.user?.role}) can view commands but not run them.</p>`}
      ${canRunOn(this.user, a) && a.status === 'online' ? html`<guru-agent-files .agentId=${a.id}></guru-agent-files>` : nothing}
      ${this.selected ? html`<section class="card" aria-labelledby="result-title">
          <h2 id="result-title">Command result</h2>
          <guru-command-result .commandId=${this.selected} .canCancel=${canRun(this.user)}
            @command-finished=${() => this.load()}></guru-command-result>
        </section>` : nothing}
      ${this.history()}`;
  }
}
customElements.define('guru-agent', GuruAgent);

class GuruRunCommand extends LightElement {
  static properties = {
    agent: { attribute: false },
    busy: { state: true },
    error: { state: true },
  };

  async submit(event) {
    event.preventDefault();
    const f = event.target;
    this.error = '';
    const timeout = Number.parseInt(f.timeout.value, 10);
    const body = {
      command_type: f.type.value,
      command: f.script.value,
      context: f.context.value,
      timeout_seconds: Number.isNaN(timeout) ? undefined : timeout,
      // SPEC section 7: scripts see the host unless kept inside the agent's sandbox.
      view: f.sandbox?.checked ? 'sandbox' : undefined,
    };
    this.busy = true;
    try {
      const submitted = await runCommand(this.agent.id, body);
      this.dispatchEvent(new CustomEvent('command-submitted', { detail: submitted.command_id, bubbles: true }));
    } catch (e) {
      this.error = e.message;
    } finally {
      this.busy = false;
    }
  }

  render() {
    const defaultType = this.agent?.os === 'windows' ? 'powershell' : 'bash';
    return html`
      <section class="card" aria-labelledby="run-title">
        <h2 id="run-title">Run command</h2>
        <form id="run-form" class="run-form" @submit=${this.submit}>
          <div class="row">
            <label>Type <select name="type" id="cmd-type">
              ${TYPES.map((t) => html`<option value=${t} ?selected=${t === defaultType}>${t}</option>`)}
            </select></label>
            <label>Run as <select name="context" id="cmd-context">
              <option value="system" selected>system (root / SYSTEM)</option>
              <option value="user_session">logged-on user's session</option>
            </select></label>
            <label>Timeout (s) <input name="timeout" id="cmd-timeout" type="number" min="1" max="86400" value="60" required></label>
            ${this.agent?.os === 'linux' ? html`<label title="By default scripts see the host's file system (apt, dnf and writes to /etc work); checked, the script stays inside the agent's hardened sandbox, where / is read-only.">
              <input type="checkbox" name="sandbox" id="cmd-sandbox"> keep inside the agent's sandbox</label>` : nothing}
          </div>
          <label class="block">Script
            <textarea name="script" id="cmd-script" rows="6" spellcheck="false" required
              placeholder="uname -a"></textarea></label>
          ${errorBox(this.error)}
          <button type="submit" class="primary" id="cmd-run" ?disabled=${this.busy}>${this.busy ? 'Sending…' : 'Run'}</button>
          ${this.agent?.status !== 'online'
            ? html`<span class="muted">The agent is offline: the command waits in the queue until it connects.</span>` : nothing}
        </form>
      </section>`;
  }
}
customElements.define('guru-run-command', GuruRunCommand);

/**
 * One command's result. While it is queued or running its live output is followed
 * (GET /api/commands/{id}/output?follow=true) and shown as it arrives; the stored result replaces it
 * once the command is final. Status comes from the shared event stream, with a slow poll behind it.
 */
class GuruCommandResult extends LightElement {
  static properties = {
    commandId: { type: String },
    canCancel: { type: Boolean },
    command: { state: true },
    error: { state: true },
    cancelling: { state: true },
    live: { state: true },
  };

  constructor() {
    super();
    this.command = null;
    this.error = '';
    this.live = null;
    this.following = null;
    // The status event of this command triggers a read; the poll only covers a lost event.
    this.poller = new Poller(() => this.load(), 10000);
  }

  connectedCallback() {
    super.connectedCallback();
    this.unsubscribe = subscribe(['command.status'], ({ data }) => {
      if (data?.command_id === this.commandId && this.poller.timer) this.load();
    }, () => this.load());
  }

  disconnectedCallback() {
    this.poller.stop();
    this.unsubscribe?.();
    this.stopFollowing();
    super.disconnectedCallback();
  }

  willUpdate(changed) {
    if (changed.has('commandId')) {
      this.command = null;
      this.error = '';
      this.stopFollowing();
      this.live = null;
      this.poller.start();
      this.load();
    }
  }

  /**
   * Follows the live output of the shown command. A chunk is appended only where its stream's text ends
   * (its offset); one further on means chunks were lost, and that stream is marked incomplete until the
   * stored result replaces the live view.
   */
  startFollowing() {
    if (this.following) return;
    const id = this.commandId;
    const controller = new AbortController();
    this.following = controller;
    this.live = { stdout: '', stderr: '', gap: { stdout: false, stderr: false }, stopped: null };
    followCommandOutput(id, 0, {
      onChunk: (chunk) => {
        if (id !== this.commandId || !this.live) return;
        const live = this.live;
        const stream = chunk.stream === 'stderr' ? 'stderr' : 'stdout';
        if (chunk.stopped) live.stopped = chunk.stopped;
        if (chunk.data && !live.gap[stream]) {
          if (chunk.offset === live[stream].length) live[stream] += chunk.data;
          else if (chunk.offset > live[stream].length) live.gap[stream] = true;
        }
        this.live = { ...live };
      },
      onEnd: () => {
        if (id === this.commandId) this.load();
      },
    }, controller.signal);
  }

  stopFollowing() {
    this.following?.abort();
    this.following = null;
  }

  async load() {
    const id = this.commandId;
    try {
      const c = await getCommand(id);
      if (id !== this.commandId) return;
      const wasActive = !this.command || ACTIVE.has(this.command.status);
      this.command = c;
      this.error = '';
      if (c.status === 'running') this.startFollowing();
      if (!ACTIVE.has(c.status)) {
        this.poller.stop();
        this.stopFollowing();
        // Lets the agent page refresh its history at once instead of showing "running" until its next poll.
        if (wasActive) this.dispatchEvent(new CustomEvent('command-finished', { detail: c, bubbles: true }));
      }
    } catch (e) {
      this.error = e.message;
      if (e.status === 404 || e.status === 401) this.poller.stop();
    }
  }

  async cancel() {
    this.cancelling = true;
    try {
      this.command = await cancelCommand(this.commandId);
      this.error = '';
    } catch (e) {
      this.error = e.message;
    } finally {
      this.cancelling = false;
    }
  }

  output(label, cls, text, truncated) {
    return html`
      <h3>${label}${truncated ? html` <span class="badge badge-truncated">truncated</span>` : nothing}</h3>
      ${text ? html`<pre class=${'output ' + cls}>${text}</pre>` : html`<p class="muted ${cls}-empty">(empty)</p>`}`;
  }

  /** The output so far of a running command, as streamed; the stored result replaces it at the end. */
  liveOutput() {
    const live = this.live;
    if (!live || (!live.stdout && !live.stderr)) return nothing;
    const note = live.stopped || live.gap.stdout || live.gap.stderr
      ? html`<p class="muted live-note">Live output is incomplete${live.stopped ? html` (${live.stopped === 'backlog' ? 'the link was too slow' : 'the streaming limit was reached'})` : nothing};
          the full stored result appears when the command ends.</p>` : nothing;
    const block = (stream) => html`
      <h3>${stream} <span class="badge badge-live">live</span></h3>
      ${live[stream] ? html`<pre class=${`output live-${stream}`}>${live[stream]}</pre>` : html`<p class="muted">(nothing yet)</p>`}`;
    return html`<div class="live-output" aria-live="polite">${note}${block('stdout')}${block('stderr')}</div>`;
  }

  render() {
    const c = this.command;
    if (!c) return html`${errorBox(this.error)}${this.error ? nothing : html`<p class="muted">Loading…</p>`}`;
    const active = ACTIVE.has(c.status);
    return html`
      <div class="command-result" data-status=${c.status} data-command-id=${c.id} aria-busy=${active ? 'true' : 'false'}>
        <p class="result-head">
          <span class="result-status">${badge(c.status)}</span>
          ${c.exit_code !== null && c.exit_code !== undefined
            ? html`<span>exit code <strong class="exit-code">${c.exit_code}</strong></span>` : nothing}
          <span class="muted">${c.command_type}, ${c.context}${c.view ? html`, <span class="command-view">${c.view} view</span>` : nothing}, timeout ${c.timeout_seconds} s,
            by ${c.created_by ?? '?'}; created ${formatTime(c.created_at)}${c.completed_at ? html`, finished ${formatTime(c.completed_at)}` : nothing}</span>
          ${active && this.canCancel ? html`<button type="button" id="cmd-cancel" class="danger" ?disabled=${this.cancelling}
              @click=${this.cancel}>${this.cancelling ? 'Cancelling…' : 'Cancel'}</button>` : nothing}
          ${active ? html`<span class="spinner" aria-label="waiting for the agent"></span>` : nothing}
        </p>
        ${errorBox(this.error)}
        ${c.error ? html`<p class="error command-error" role="alert">${c.error}</p>` : nothing}
        ${c.hold_reason ? html`<p class="note hold-reason"><strong>Held:</strong> ${c.hold_reason}</p>` : nothing}
        ${c.agent_sandbox ? html`<p class="note agent-sandbox"><strong>Agent sandbox:</strong> ${c.agent_sandbox}</p>` : nothing}
        <details><summary>Script</summary><pre class="output script">${c.command_text}</pre></details>
        ${active ? this.liveOutput() : html`
          ${this.output('stdout', 'stdout', c.stdout, c.stdout_truncated)}
          ${this.output('stderr', 'stderr', c.stderr, c.stderr_truncated)}`}
      </div>`;
  }
}
customElements.define('guru-command-result', GuruCommandResult);
