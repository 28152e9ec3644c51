// API keys of the signed-in user (docs/OPERATIONS.md, "API keys"). The secret is in the create
// response only; the list never holds it.
import { api, seg } from './client.js';

export const listApiKeys = () => api('GET', '/api/api-keys');
/** `body`: {name, expires_in_days?, role?, scope?: {client_ids, site_ids}}. */
export const createApiKey = (body) => api('POST', '/api/api-keys', body);
export const revokeApiKey = (id) => api('DELETE', `/api/api-keys/${seg(id)}`);
