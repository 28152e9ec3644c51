// Shared building blocks. Components render into light DOM so the one stylesheet styles them
// all and no inline <style> is needed under the Content-Security-Policy. Every value from the
// API goes through lit's ${} bindings, which create text nodes and escaped attributes: agent
// output and hostnames are never parsed as HTML.
import { LitElement, html, nothing } from 'lit';

export class LightElement extends LitElement {
  createRenderRoot() {
    return this;
  }
}

/**
 * Runs a task every `ms` while the element is connected; skips ticks while the tab is hidden
 * and never overlaps a slow request with the next one.
 */
export class Poller {
  constructor(task, ms) {
    this.task = task;
    this.ms = ms;
    this.timer = null;
    this.busy = false;
  }
  start() {
    this.stop();
    this.timer = setInterval(() => this.tick(), this.ms);
  }
  stop() {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
  async tick() {
    if (this.busy || document.hidden) return;
    this.busy = true;
    try {
      await this.task();
    } finally {
      this.busy = false;
    }
  }
}

export function formatTime(iso) {
  if (!iso) return '—';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? String(iso) : d.toLocaleString();
}

export function relativeTime(iso, now = Date.now()) {
  if (!iso) return 'never';
  const t = new Date(iso).getTime();
  if (Number.isNaN(t)) return String(iso);
  const s = Math.round((now - t) / 1000);
  if (s < 0) return 'just now';
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  if (s < 86400) return `${Math.floor(s / 3600)} h ago`;
  return `${Math.floor(s / 86400)} d ago`;
}

/** A status word as a coloured badge; the text is always there, colour is never the only signal. */
export function badge(status) {
  const value = status ?? 'unknown';
  return html`<span class="badge badge-${String(value).replace(/[^a-z_]/g, '')}">${value}</span>`;
}

export function errorBox(message) {
  return message ? html`<p class="error" role="alert">${message}</p>` : nothing;
}

export const isAdmin = (user) => user?.role === 'admin';
export const canRun = (user) => user?.role === 'admin' || user?.role === 'technician';
/** Commands on the server host's own agent are admin-only (it can read the server's secrets). */
export const canRunOn = (user, agent) => (agent?.server_host ? isAdmin(user) : canRun(user));

/** The small "server host" mark on the server's own agent (fleet row and agent page). */
export function serverHostBadge(agent) {
  return agent?.server_host
    ? html`<span class="badge badge-server_host server-host" title="The GuruRMM server's own machine: only admins run commands here">server host</span>`
    : nothing;
}
