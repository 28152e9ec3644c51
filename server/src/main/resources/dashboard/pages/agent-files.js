// The agent page's file transfer card: upload a local file to a path on the agent, download one.
import { html, nothing } from 'lit';
import { downloadFile, uploadFile } from '../api/files.js';
import { LightElement, errorBox } from '../ui.js';

class GuruAgentFiles extends LightElement {
  static properties = {
    agentId: { type: String },
    busy: { state: true },
    error: { state: true },
    result: { state: true },
  };

  async upload(event) {
    event.preventDefault();
    const form = event.target;
    const file = form.querySelector('#file-upload-input').files[0];
    const path = form.querySelector('#file-upload-path').value.trim();
    if (!file || !path) {
      this.error = 'Choose a file and give the absolute path to write it to on the agent.';
      return;
    }
    this.busy = 'upload';
    this.error = null;
    this.result = null;
    try {
      const done = await uploadFile(this.agentId, path, file);
      this.result = { direction: 'upload', path: done.path, size: done.size, sha256: done.sha256 };
    } catch (e) {
      this.error = e.message;
    } finally {
      this.busy = null;
    }
  }

  async download(event) {
    event.preventDefault();
    const path = event.target.querySelector('#file-download-path').value.trim();
    if (!path) {
      this.error = 'Give the absolute path of the file on the agent.';
      return;
    }
    this.busy = 'download';
    this.error = null;
    this.result = null;
    try {
      const done = await downloadFile(this.agentId, path);
      const url = URL.createObjectURL(done.blob);
      const link = document.createElement('a');
      link.href = url;
      link.download = done.name;
      link.id = 'file-download-link';
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(url), 60_000);
      this.result = { direction: 'download', path, size: done.size, sha256: done.sha256, verified: done.verified };
    } catch (e) {
      this.error = e.message;
    } finally {
      this.busy = null;
    }
  }

  render() {
    const r = this.result;
    return html`<section class="card" id="agent-files" aria-labelledby="files-title">
      <h2 id="files-title">Files</h2>
      ${errorBox(this.error)}
      <form id="file-upload-form" @submit=${(e) => this.upload(e)}>
        <label>Upload <input type="file" id="file-upload-input"></label>
        <label>to path on the agent <input type="text" id="file-upload-path" placeholder="/tmp/file.txt" required></label>
        <button type="submit" id="file-upload-submit" ?disabled=${this.busy}>${this.busy === 'upload' ? 'Uploading…' : 'Upload'}</button>
      </form>
      <form id="file-download-form" @submit=${(e) => this.download(e)}>
        <label>Download path <input type="text" id="file-download-path" placeholder="/var/log/syslog" required></label>
        <button type="submit" id="file-download-submit" ?disabled=${this.busy}>${this.busy === 'download' ? 'Downloading…' : 'Download'}</button>
      </form>
      ${r ? html`<p class="note" id="file-result" data-direction=${r.direction} data-sha256=${r.sha256}>
          ${r.direction === 'upload' ? 'Uploaded' : 'Downloaded'} <code>${r.path}</code>: ${r.size} bytes, SHA-256 <code>${r.sha256}</code>
          ${r.direction === 'upload' || r.verified ? '(verified)' : r.verified === null ? '(not checked: this browser cannot hash here)' : nothing}</p>`
        : nothing}
      <p class="muted">Files are written next to the target and renamed into place only when the SHA-256 matches.</p>
    </section>`;
  }
}
customElements.define('guru-agent-files', GuruAgentFiles);
