// Inventory: one agent's system inventory, asking for a fresh one, and fleet-wide search.
import { api, seg } from './client.js';

export const getInventory = (id) => api('GET', `/api/agents/${seg(id)}/inventory`);
export const refreshInventory = (id) => api('POST', `/api/agents/${seg(id)}/inventory/refresh`, {});
/** `params` is a URLSearchParams of the search filters (docs/OPERATIONS.md, "Inventory"). */
export const searchInventory = (params) => api('GET', `/api/inventory/search?${params}`);
