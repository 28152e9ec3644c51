// Users (admin) and the signed-in user.
import { api, seg } from './client.js';

export const me = () => api('GET', '/api/auth/me');
export const listUsers = () => api('GET', '/api/users');
export const createUser = (body) => api('POST', '/api/users', body);
/** `changes`: any of `disabled`, `role`, `scope` ({client_ids, site_ids}). */
export const updateUser = (id, changes) => api('PATCH', `/api/users/${seg(id)}`, changes);
export const deleteUser = (id) => api('DELETE', `/api/users/${seg(id)}`);
/** No password: the server generates one and returns it once. */
export const resetPassword = (id, password) => api('POST', `/api/users/${seg(id)}/reset-password`, password ? { password } : {});
