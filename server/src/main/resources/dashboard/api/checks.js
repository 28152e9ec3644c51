// Checks (fleet-wide: admin; site and agent: technician).
import { api, seg } from './client.js';

export const listChecks = () => api('GET', '/api/checks');
export const createCheck = (body) => api('POST', '/api/checks', body);
export const updateCheck = (id, body) => api('PATCH', `/api/checks/${seg(id)}`, body);
export const deleteCheck = (id) => api('DELETE', `/api/checks/${seg(id)}`);
export const agentChecks = (agentId) => api('GET', `/api/agents/${seg(agentId)}/checks`);
