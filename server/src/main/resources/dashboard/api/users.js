// Users (admin) and the signed-in user.
import { api } from './client.js';

export const me = () => api('GET', '/api/auth/me');
export const listUsers = () => api('GET', '/api/users');
export const createUser = (body) => api('POST', '/api/users', body);
