// Commands by id.
import { api, seg } from './client.js';

export const getCommand = (id) => api('GET', `/api/commands/${seg(id)}`);
export const cancelCommand = (id) => api('POST', `/api/commands/${seg(id)}/cancel`);
