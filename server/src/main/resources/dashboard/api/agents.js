// Agents: GET /api/agents, one agent, its commands, and held-command decisions.
import { api, seg } from './client.js';

export const listAgents = () => api('GET', '/api/agents');
export const getAgent = (id) => api('GET', `/api/agents/${seg(id)}`);
export const agentCommands = (id, limit = 50) => api('GET', `/api/agents/${seg(id)}/commands?limit=${limit}`);
/** `action` is `release` or `discard`. */
export const decideHeldCommands = (id, action) => api('POST', `/api/agents/${seg(id)}/held-commands/${seg(action)}`, {});
export const runCommand = (id, body) => api('POST', `/api/agents/${seg(id)}/command`, body);
