// Clients and sites: GET lists what the caller's scope holds; changes are admin-only.
import { api, seg } from './client.js';

export const listClients = () => api('GET', '/api/clients');
export const listSites = () => api('GET', '/api/sites');
export const createClient = (name) => api('POST', '/api/clients', { name });
export const createSite = (clientId, name) => api('POST', `/api/clients/${seg(clientId)}/sites`, { name });
export const moveAgent = (agentId, siteId) => api('PATCH', `/api/agents/${seg(agentId)}`, { site_id: siteId });
