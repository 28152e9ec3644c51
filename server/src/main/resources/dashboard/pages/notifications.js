// Notification settings: channels (webhook / e-mail, secret shown once, send test), routing rules, delivery log.
import { html, nothing } from 'lit';
import {
  createChannel, createRule, deleteChannel, deleteRule, listChannels, listDeliveries, listRules, testChannel,
} from '../api/notifications.js';
import { LightElement, badge, errorBox, formatTime } from '../ui.js';
import { optionalInt } from './list-page.js';

/** Only scheme and host of a webhook URL: the path of a chat webhook is its credential. */
const hostOf = (url) => {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}/…`;
  } catch {
    return '(invalid)';
  }
};

class GuruNotifications extends LightElement {
  static properties = {
    channels: { state: true },
    rules: { state: true },
    deliveries: { state: true },
    error: { state: true },
    kind: { state: true },
    created: { state: true },
    testResult: { state: true },
  };

  constructor() {
    super();
    this.channels = null;
    this.rules = null;
    this.deliveries = null;
    this.error = '';
    this.kind = 'webhook';
    this.created = null;
    this.testResult = null;
  }

  connectedCallback() {
    super.connectedCallback();
    this.load();
  }

  async load() {
    try {
      [this.channels, this.rules, this.deliveries] = await Promise.all([listChannels(), listRules(), listDeliveries()]);
    } catch (e) {
      this.error = e.message;
    }
  }

  async change(request) {
    this.error = '';
    try {
      const response = await request();
      await this.load();
      return response;
    } catch (e) {
      this.error = e.message;
      return undefined;
    }
  }

  async addChannel(event) {
    event.preventDefault();
    const f = event.target;
    const body = this.kind === 'webhook'
      ? { name: f.name.value.trim(), type: 'webhook', preset: f.preset.value, url: f.url.value.trim() }
      : {
        name: f.name.value.trim(),
        type: 'email',
        smtp_host: f.host.value.trim(),
        smtp_port: optionalInt(f.port.value),
        smtp_tls: f.tls.value,
        smtp_username: f.user.value.trim() || undefined,
        smtp_password: f.password.value || undefined,
        email_from: f.from.value.trim(),
        email_to: f.to.value.split(',').map((s) => s.trim()).filter(Boolean),
      };
    const created = await this.change(() => createChannel(body));
    if (created) {
      this.created = created;
      f.reset();
    }
  }

  async test(channel) {
    this.testResult = null;
    const result = await this.change(() => testChannel(channel.id));
    if (result) this.testResult = { channel: channel.name, ...result };
  }

  async removeChannel(channel) {
    if (!window.confirm(`Delete channel "${channel.name}" and its delivery log?`)) return;
    await this.change(() => deleteChannel(channel.id));
  }

  async addRule(event) {
    event.preventDefault();
    const f = event.target;
    const transitions = ['open', 'acknowledged', 'resolved'].filter((t) => f[`on-${t}`].checked);
    const channelIds = [...f.querySelectorAll('input[name=rule-channel]:checked')].map((c) => c.value);
    const body = {
      name: f.name.value.trim(),
      min_severity: f.severity.value,
      site: f.site.value.trim() || undefined,
      transitions,
      channel_ids: channelIds,
      digest_threshold: optionalInt(f.threshold.value),
      digest_window_seconds: optionalInt(f.window.value),
    };
    if (await this.change(() => createRule(body))) f.reset();
  }

  async removeRule(rule) {
    if (!window.confirm(`Delete rule "${rule.name}"?`)) return;
    await this.change(() => deleteRule(rule.id));
  }

  channelName(id) {
    return this.channels?.find((c) => c.id === id)?.name ?? id;
  }

  renderChannelForm() {
    return html`
      <form id="channel-form" class="row" @submit=${this.addChannel}>
        <label>Type <select name="kind" id="channel-kind" @change=${(e) => { this.kind = e.target.value; }}>
          <option value="webhook" ?selected=${this.kind === 'webhook'}>Webhook</option>
          <option value="email" ?selected=${this.kind === 'email'}>E-mail (SMTP)</option></select></label>
        <label>Name <input name="name" id="channel-name" required maxlength="200"></label>
        ${this.kind === 'webhook' ? html`
          <label>Preset <select name="preset" id="channel-preset">
            <option value="generic">Generic JSON</option><option value="slack">Slack</option>
            <option value="teams">Microsoft Teams</option><option value="discord">Discord</option></select></label>
          <label>URL <input name="url" id="channel-url" type="url" required maxlength="2000" placeholder="https://…"></label>`
        : html`
          <label>SMTP host <input name="host" id="channel-host" required></label>
          <label>Port <input name="port" id="channel-port" type="number" min="1" max="65535" value="587"></label>
          <label>TLS <select name="tls" id="channel-tls">
            <option value="starttls_required">STARTTLS required</option><option value="starttls_optional">STARTTLS if offered</option>
            <option value="tls">TLS (port 465)</option><option value="none">None (local relay)</option></select></label>
          <label>User <input name="user" id="channel-user" autocomplete="off"></label>
          <label>Password <input name="password" id="channel-password" type="password" autocomplete="new-password"></label>
          <label>From <input name="from" id="channel-from" type="email" required></label>
          <label>To (comma-separated) <input name="to" id="channel-to" required></label>`}
        <button type="submit" class="primary" id="channel-create">Add channel</button>
      </form>`;
  }

  render() {
    const channels = this.channels ?? [];
    return html`
      <section class="card">
        <h1>Notifications</h1>
        <p class="muted">Where alerts are sent. Webhooks are signed (<code>X-GuruRMM-Signature</code>); see docs/OPERATIONS.md, "Notifications".</p>
        ${errorBox(this.error)}
        ${this.renderChannelForm()}
        ${this.created?.secret ? html`
          <div class="new-token" id="new-channel-secret" role="status">
            <p><strong>Signing secret for "${this.created.name}": copy it now, it is shown only once.</strong></p>
            <code id="new-channel-secret-value" class="mono">${this.created.secret}</code>
            <button type="button" class="link" @click=${() => { this.created = null; }}>Done</button>
          </div>` : nothing}
        ${this.testResult ? html`
          <p id="test-result" role="status">Test to "${this.testResult.channel}": ${badge(this.testResult.ok ? 'delivered' : 'failed')}
            ${this.testResult.attempt.http_status ?? ''} ${this.testResult.attempt.reply ?? ''} ${this.testResult.attempt.error ?? ''}
            (${this.testResult.attempt.duration_ms} ms)</p>` : nothing}
        ${this.channels === null ? html`<p class="muted">Loading…</p>` : html`
        <div class="table-wrap"><table id="channels-table">
          <thead><tr><th scope="col">Name</th><th scope="col">Type</th><th scope="col">Target</th><th scope="col">Enabled</th>
            <th scope="col"></th></tr></thead>
          <tbody>${channels.map((c) => html`<tr data-channel-id=${c.id}>
            <td>${c.name}</td><td>${c.type === 'webhook' ? `webhook / ${c.preset}` : 'e-mail'}</td>
            <td class="mono">${c.type === 'webhook' ? hostOf(c.url) : `${(c.email_to ?? []).join(', ')} via ${c.smtp_host}:${c.smtp_port}`}</td>
            <td>${c.enabled ? 'yes' : 'no'}</td>
            <td><button type="button" class="test-channel" @click=${() => this.test(c)}>Send test</button>
              <button type="button" class="danger delete-channel" @click=${() => this.removeChannel(c)}>Delete</button></td>
          </tr>`)}</tbody>
        </table></div>`}
      </section>
      <section class="card">
        <h2>Routing rules</h2>
        <form id="rule-form" class="row" @submit=${this.addRule}>
          <label>Name <input name="name" id="rule-name" required maxlength="200"></label>
          <label>Min severity <select name="severity" id="rule-severity">
            <option value="info">info</option><option value="warning" selected>warning</option><option value="critical">critical</option></select></label>
          <label>Site <input name="site" id="rule-site" placeholder="every site"></label>
          <fieldset><legend>On</legend>
            <label><input type="checkbox" name="on-open" checked> open</label>
            <label><input type="checkbox" name="on-acknowledged"> acknowledged</label>
            <label><input type="checkbox" name="on-resolved" checked> resolved</label></fieldset>
          <fieldset id="rule-channels"><legend>Channels</legend>
            ${channels.map((c) => html`<label><input type="checkbox" name="rule-channel" value=${c.id}> ${c.name}</label>`)}</fieldset>
          <label>Digest: more than <input name="threshold" id="rule-threshold" type="number" min="1" placeholder="off"></label>
          <label>in (seconds) <input name="window" id="rule-window" type="number" min="5" max="3600" placeholder="60"></label>
          <button type="submit" class="primary" id="rule-create">Add rule</button>
        </form>
        ${this.rules === null ? nothing : html`
        <div class="table-wrap"><table id="rules-table">
          <thead><tr><th scope="col">Name</th><th scope="col">Min severity</th><th scope="col">Site</th><th scope="col">On</th>
            <th scope="col">Channels</th><th scope="col">Digest</th><th scope="col"></th></tr></thead>
          <tbody>${this.rules.map((r) => html`<tr data-rule-id=${r.id}>
            <td>${r.name}</td><td>${r.min_severity}</td><td>${r.site ?? 'every site'}</td><td>${r.transitions.join(', ')}</td>
            <td>${r.channel_ids.map((id) => this.channelName(id)).join(', ')}</td>
            <td>${r.digest_threshold ? `> ${r.digest_threshold} in ${r.digest_window_seconds} s` : '—'}</td>
            <td><button type="button" class="danger delete-rule" @click=${() => this.removeRule(r)}>Delete</button></td>
          </tr>`)}</tbody>
        </table></div>`}
      </section>
      <section class="card">
        <h2>Delivery log</h2>
        <button type="button" id="deliveries-refresh" @click=${() => this.load()}>Refresh</button>
        ${this.deliveries === null ? nothing : this.deliveries.length === 0 ? html`<p class="muted">Nothing sent yet.</p>` : html`
        <div class="table-wrap"><table id="deliveries-table">
          <thead><tr><th scope="col">Created</th><th scope="col">Channel</th><th scope="col">Kind</th><th scope="col">Alert</th>
            <th scope="col">Status</th><th scope="col">Attempts</th><th scope="col">Last attempt</th></tr></thead>
          <tbody>${this.deliveries.map((d) => {
            const last = d.attempt_log[d.attempt_log.length - 1];
            return html`<tr data-delivery-id=${d.id}>
              <td>${formatTime(d.created_at)}</td><td>${this.channelName(d.channel_id)}</td><td>${d.kind}</td>
              <td class="mono">${d.alert_id ? `${d.alert_id.slice(0, 8)} ${d.alert_state}` : '—'}</td>
              <td>${badge(d.status)}</td><td>${d.attempts}</td>
              <td>${last ? `${formatTime(last.at)} · ${last.http_status ?? ''} ${last.error ?? last.reply ?? ''} · ${last.duration_ms} ms` : '—'}
                ${d.status === 'pending' && d.next_attempt_at ? html`<br><span class="muted">next ${formatTime(d.next_attempt_at)}</span>` : nothing}</td>
            </tr>`;
          })}</tbody>
        </table></div>`}
      </section>`;
  }
}
customElements.define('guru-notifications', GuruNotifications);
