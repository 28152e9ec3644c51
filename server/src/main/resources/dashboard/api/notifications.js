// Notification channels (admin), routing rules and the delivery log (docs/OPERATIONS.md, "Notifications").
import { api, seg } from './client.js';

export const listChannels = () => api('GET', '/api/notification-channels');
export const createChannel = (body) => api('POST', '/api/notification-channels', body);
export const deleteChannel = (id) => api('DELETE', `/api/notification-channels/${seg(id)}`);
export const testChannel = (id) => api('POST', `/api/notification-channels/${seg(id)}/test`);
export const listRules = () => api('GET', '/api/notification-rules');
export const createRule = (body) => api('POST', '/api/notification-rules', body);
export const deleteRule = (id) => api('DELETE', `/api/notification-rules/${seg(id)}`);
export const listDeliveries = (filters = {}) => {
  const q = new URLSearchParams({ limit: '200' });
  for (const [k, v] of Object.entries(filters)) if (v) q.set(k, v);
  return api('GET', `/api/notification-deliveries?${q}`);
};
