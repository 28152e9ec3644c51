// Enrollment tokens (admin).
import { api, seg } from './client.js';

export const listEnrollmentTokens = () => api('GET', '/api/enrollment-tokens');
export const createEnrollmentToken = (body) => api('POST', '/api/enrollment-tokens', body);
export const revokeEnrollmentToken = (id) => api('DELETE', `/api/enrollment-tokens/${seg(id)}`);
