// The release pipeline's builds (admin).
import { api, seg } from './client.js';

export const listBuilds = (limit = 50) => api('GET', `/api/builds?limit=${limit}`);
export const getBuild = (id) => api('GET', `/api/builds/${seg(id)}`);
