// The audit log (admin).
import { api } from './client.js';

/** `params` is a URLSearchParams of the filters and paging. */
export const listAudit = (params) => api('GET', `/api/audit?${params}`);
