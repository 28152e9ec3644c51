// Releases in the downloads directory: channel per file, rollout.
import { html, nothing } from 'lit';
import { listReleases, setReleaseChannel } from '../api/releases.js';
import { LightElement, badge, errorBox, formatTime } from '../ui.js';
import { ListPage, optionalInt } from './list-page.js';

class GuruReleases extends ListPage {
  constructor() {
    super(listReleases);
  }

  async setChannel(release, channel) {
    await this.change(() => setReleaseChannel(release.file, channel));
  }

  render() {
    return html`
      <section class="card">
        <h1>Releases</h1>
        <p class="muted">Agent builds in the downloads directory. New builds start on <em>beta</em>; promote one to
          <em>stable</em> when beta agents run it well. See docs/RELEASES.md.</p>
        ${errorBox(this.error)}
        ${this.items === null ? html`<p class="muted">Loading…</p>`
          : this.items.length === 0 ? html`<p class="muted">No agent builds published yet.</p>` : html`
        <div class="table-wrap"><table id="releases-table">
          <thead><tr><th scope="col">File</th><th scope="col">Platform</th><th scope="col">Version</th>
            <th scope="col">Channel</th><th scope="col">Rollout</th><th scope="col">Agents (running / pending / failed)</th>
            <th scope="col">Checks</th><th scope="col"></th></tr></thead>
          <tbody>${this.items.map((r) => html`<tr data-file=${r.file}>
            <td class="mono">${r.file}</td><td>${r.os}/${r.arch}</td><td>${r.version}</td>
            <td class="channel">${badge(r.channel)}</td>
            <td>${r.rollout ? `${r.rollout.percent}%${r.rollout.paused ? ' (paused' + (r.rollout.pause_reason ? ': ' + r.rollout.pause_reason : '') + ')' : ''}` : '—'}</td>
            <td>${r.agents ? `${r.agents.running} / ${r.agents.pending} / ${r.agents.failed}` : '—'}</td>
            <td>${r.offerable ? (r.signed ? 'signed' : 'unsigned') : html`${badge('problem')} ${(r.problems ?? []).join('; ')}`}</td>
            <td>${r.channel === 'beta'
              ? html`<button type="button" class="promote" @click=${() => this.setChannel(r, 'stable')}>Promote to stable</button>`
              : html`<button type="button" class="demote" @click=${() => this.setChannel(r, 'beta')}>Move to beta</button>`}</td>
          </tr>`)}</tbody>
        </table></div>`}
      </section>`;
  }
}
customElements.define('guru-releases', GuruReleases);
