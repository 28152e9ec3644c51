// Charts of one agent's metrics (the agent page): uPlot from its webjar, fed the API's aligned
// arrays as they come (timestamps + one array per series). One chart per group of metrics; the
// range buttons pick the step so a chart has at most a few hundred points (hourly rollups from 7 days up).
import { html, nothing } from 'lit';
import uPlot from 'uplot';
import { agentMetrics } from '../api/metrics.js';
import { LightElement, Poller, errorBox } from '../ui.js';

const RANGES = [
  { key: '1h', label: '1 hour', seconds: 3600, step: 60 },
  { key: '24h', label: '24 hours', seconds: 86400, step: 300 },
  { key: '7d', label: '7 days', seconds: 7 * 86400, step: 3600 },
  { key: '30d', label: '30 days', seconds: 30 * 86400, step: 3600 },
];

const COLORS = ['#2563eb', '#dc2626', '#16a34a', '#9333ea', '#ea580c', '#0891b2', '#be185d', '#4d7c0f'];

/** Chart groups: a title, the unit, and which series go in it. */
const GROUPS = [
  { id: 'cpu', title: 'CPU', unit: '%', pick: (k) => k === 'cpu.percent', max: 100 },
  { id: 'memory', title: 'Memory and swap', unit: '%', pick: (k) => k === 'memory.percent' || k === 'swap.percent', max: 100 },
  { id: 'disk', title: 'Disk use', unit: '%', pick: (k) => k.startsWith('disk.percent:'), max: 100 },
  { id: 'load', title: 'Load average', unit: '', pick: (k) => k.startsWith('load.') },
  { id: 'network', title: 'Network', unit: 'B/s', pick: (k) => k === 'net.rx_bps' || k === 'net.tx_bps' },
];

let cssLoaded = false;
function loadCss() {
  if (cssLoaded) return;
  cssLoaded = true;
  const link = document.createElement('link');
  link.rel = 'stylesheet';
  link.href = import.meta.resolve('uplot/dist/uPlot.min.css');
  document.head.append(link);
}

const label = (k) => ({ 'cpu.percent': 'CPU', 'memory.percent': 'memory', 'swap.percent': 'swap', 'net.rx_bps': 'received',
  'net.tx_bps': 'sent' }[k] ?? (k.startsWith('disk.percent:') ? k.slice('disk.percent:'.length) : k));

class GuruMetricsCharts extends LightElement {
  static properties = {
    agentId: { type: String },
    range: { state: true },
    data: { state: true },
    error: { state: true },
  };

  constructor() {
    super();
    this.range = '1h';
    this.data = null;
    this.error = '';
    this.plots = [];
    this.poller = new Poller(() => this.load(), 60000);
  }

  connectedCallback() {
    super.connectedCallback();
    loadCss();
    this.load();
    this.poller.start();
  }

  disconnectedCallback() {
    this.poller.stop();
    this.destroyPlots();
    super.disconnectedCallback();
  }

  async load() {
    const r = RANGES.find((x) => x.key === this.range);
    const now = Date.now() / 1000;
    try {
      this.data = await agentMetrics(this.agentId, now - r.seconds, now, r.step);
      this.error = '';
    } catch (e) {
      this.error = e.message;
    }
  }

  pick(key) {
    this.range = key;
    this.data = null;
    this.load();
  }

  destroyPlots() {
    this.plots.forEach((p) => p.destroy());
    this.plots = [];
  }

  updated() {
    this.destroyPlots();
    const d = this.data;
    if (!d) return;
    const width = Math.max(280, Math.min(this.querySelector('.metric-charts')?.clientWidth ?? 600, 900));
    for (const group of GROUPS) {
      const el = this.querySelector(`[data-chart="${group.id}"] .plot`);
      if (!el) continue;
      const keys = Object.keys(d.series).filter(group.pick).sort();
      const points = keys.reduce((n, k) => n + d.series[k].filter((v) => v !== null).length, 0);
      el.parentElement.dataset.points = String(points);
      const opts = {
        width: width - 32,
        height: 160,
        scales: { x: { time: true }, y: group.max ? { range: [0, group.max] } : {} },
        axes: [{}, { values: (u, ticks) => ticks.map((t) => `${t}${group.unit ? ' ' + group.unit : ''}`), size: 60 }],
        series: [{}, ...keys.map((k, i) => ({ label: label(k), stroke: COLORS[i % COLORS.length], width: 1.5, spanGaps: false }))],
      };
      this.plots.push(new uPlot(opts, [d.timestamps, ...keys.map((k) => d.series[k])], el));
    }
  }

  render() {
    const d = this.data;
    const empty = d && Object.keys(d.series).length === 0;
    return html`
      <section class="card" id="metrics" aria-labelledby="metrics-title">
        <div class="page-head">
          <h2 id="metrics-title">Metrics</h2>
          <div class="range" role="group" aria-label="Time range">
            ${RANGES.map((r) => html`<button type="button" data-range=${r.key} aria-pressed=${this.range === r.key}
              class=${this.range === r.key ? 'selected' : ''} @click=${() => this.pick(r.key)}>${r.label}</button>`)}
          </div>
        </div>
        ${errorBox(this.error)}
        ${!d ? html`<p class="muted">Loading metrics…</p>`
          : empty ? html`<p class="muted" id="metrics-empty">No metrics in this range yet.</p>`
          : html`<p class="muted" id="metrics-source">${d.source === 'raw' ? 'Samples' : 'Hourly rollups'}, one point per
              ${d.step_seconds >= 3600 ? `${d.step_seconds / 3600} h` : `${d.step_seconds / 60} min`}.</p>
            <div class="metric-charts">
              ${GROUPS.map((g) => (Object.keys(d.series).some(g.pick)
                ? html`<figure class="metric-chart" data-chart=${g.id}><figcaption>${g.title}</figcaption><div class="plot"></div></figure>`
                : nothing))}
            </div>`}
      </section>`;
  }
}
customElements.define('guru-metrics-charts', GuruMetricsCharts);
