// The release pipeline: builds started by the forge's push webhook, newest first; one build's
// manifest (what it published) and the end of its log. Refreshes while a build is queued or running.
import { html, nothing } from 'lit';
import { getBuild, listBuilds } from '../api/builds.js';
import { LightElement, Poller, badge, errorBox, formatTime } from '../ui.js';

const duration = (ms) => (ms == null ? '—' : ms < 10000 ? `${ms} ms` : `${Math.round(ms / 1000)} s`);
const short = (commit) => (commit ? commit.slice(0, 12) : '—');

class GuruBuilds extends LightElement {
  static properties = {
    builds: { state: true },
    selected: { state: true },
    error: { state: true },
  };

  constructor() {
    super();
    this.builds = null;
    this.selected = null;
    this.error = '';
    this.poller = new Poller(() => this.refreshIfBusy(), 3000);
  }

  connectedCallback() {
    super.connectedCallback();
    this.load();
    this.poller.start();
  }

  disconnectedCallback() {
    this.poller.stop();
    super.disconnectedCallback();
  }

  async load() {
    try {
      this.builds = await listBuilds();
      if (this.selected) this.selected = await getBuild(this.selected.id);
      this.error = '';
    } catch (e) {
      this.error = e.message;
    }
  }

  async refreshIfBusy() {
    const busy = (b) => b.status === 'queued' || b.status === 'running';
    if (this.builds?.some(busy) || (this.selected && busy(this.selected))) await this.load();
  }

  async show(id) {
    try {
      this.selected = await getBuild(id);
      this.error = '';
    } catch (e) {
      this.error = e.message;
    }
  }

  render() {
    return html`
      <section class="card">
        <h1>Builds</h1>
        <p class="muted">Pushes to the release branch build what changed and publish it on beta
          (docs/RELEASES.md, "Release pipeline"). A failed build publishes nothing.</p>
        <button type="button" id="builds-refresh" @click=${() => this.load()}>Refresh</button>
        ${errorBox(this.error)}
        ${this.builds === null ? html`<p class="muted">Loading…</p>` : this.builds.length === 0
          ? html`<p class="muted" id="builds-empty">No builds yet: point the forge's push webhook at /api/pipeline/webhook.</p>`
          : html`
        <div class="table-wrap"><table id="builds-table">
          <thead><tr><th scope="col">Status</th><th scope="col">Commit</th><th scope="col">Components</th>
            <th scope="col">Duration</th><th scope="col">Queued</th><th scope="col">Reason</th></tr></thead>
          <tbody>${this.builds.map((b) => html`<tr data-build=${b.id}>
            <td class="status">${badge(b.status)}</td>
            <td class="mono"><button type="button" class="link" @click=${() => this.show(b.id)}>${short(b.commit)}</button></td>
            <td class="components">${b.components.join(' ') || '—'}</td><td>${duration(b.duration_ms)}</td>
            <td>${formatTime(b.created_at)}</td><td class="detail">${b.error ?? ''}</td></tr>`)}</tbody>
        </table></div>`}
      </section>
      ${this.selected ? this.detail(this.selected) : nothing}`;
  }

  detail(b) {
    return html`
      <section class="card" id="build-detail">
        <h2>Build ${short(b.commit)} ${badge(b.status)}</h2>
        <dl class="facts">
          <dt>Commit</dt><dd class="mono">${b.commit}</dd>
          <dt>Ref</dt><dd class="mono">${b.ref} (${b.source}${b.pusher ? `, pushed by ${b.pusher}` : ''})</dd>
          <dt>Components</dt><dd>${b.components.join(' ') || '—'}</dd>
          <dt>Version</dt><dd>${b.manifest?.version ?? '—'}</dd>
          <dt>Duration</dt><dd>${duration(b.duration_ms)}</dd>
          ${b.error ? html`<dt>Reason</dt><dd class="detail">${b.error}</dd>` : nothing}
        </dl>
        ${b.manifest ? html`
        <div class="table-wrap"><table id="build-artifacts">
          <thead><tr><th scope="col">File</th><th scope="col">SHA-256</th><th scope="col">Published</th></tr></thead>
          <tbody>${b.manifest.artifacts.map((a) => html`<tr><td class="mono">${a.file}</td><td class="mono">${a.sha256}</td>
            <td>${a.published ? `yes${a.channel ? ` (${a.channel})` : ''}` : 'kept with the build'}</td></tr>`)}</tbody>
        </table></div>` : nothing}
        <h3>Log${b.log_truncated ? ' (the last 1 MiB)' : ''}</h3>
        <pre class="output" id="build-log">${b.log ?? ''}</pre>
      </section>`;
  }
}
customElements.define('guru-builds', GuruBuilds);
