// Metrics: GET /api/agents/{id}/metrics (aligned arrays, uPlot's data format).
import { api, seg } from './client.js';

/** `from`/`to` in epoch seconds; `step` in seconds (300 and more read the 5-minute rollups). */
export const agentMetrics = (id, from, to, step) =>
  api('GET', `/api/agents/${seg(id)}/metrics?from=${Math.floor(from)}&to=${Math.ceil(to)}&step=${step}`);
