// Alerts and maintenance windows.
import { api, seg } from './client.js';

/** `params` is a URLSearchParams of the filters (state, severity, agent, site, check, since, limit). */
export const listAlerts = (params) => api('GET', `/api/alerts?${params}`);
export const alertCounts = () => api('GET', '/api/alerts/counts');
/** `[{agent_id, open, acknowledged, worst_severity}]` for the agents that have unresolved alerts (one grouped query). */
export const alertCountsByAgent = () => api('GET', '/api/alerts/counts?by=agent');
export const acknowledgeAlert = (id) => api('POST', `/api/alerts/${seg(id)}/acknowledge`);
export const resolveAlert = (id) => api('POST', `/api/alerts/${seg(id)}/resolve`);
export const listMaintenanceWindows = () => api('GET', '/api/maintenance-windows');
export const createMaintenanceWindow = (body) => api('POST', '/api/maintenance-windows', body);
export const deleteMaintenanceWindow = (id) => api('DELETE', `/api/maintenance-windows/${seg(id)}`);
