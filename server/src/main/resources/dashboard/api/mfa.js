// MFA (TOTP) for the signed-in user, the admin's MFA policy, and the server's TLS certificate.
// The login steps themselves (verify, login-enroll) are in client.js: they run before a session exists.
import { api } from './client.js';

export const mfaStatus = () => api('GET', '/api/auth/mfa');
export const enrollTotp = (password) => api('POST', '/api/auth/mfa/totp/enroll', { password });
export const confirmTotp = (code) => api('POST', '/api/auth/mfa/totp/confirm', { code });
export const disableTotp = (password, code) => api('DELETE', '/api/auth/mfa/totp', { password, code });
export const mfaPolicy = () => api('GET', '/api/settings/mfa');
export const setMfaPolicy = (requiredRoles) => api('PUT', '/api/settings/mfa', { required_roles: requiredRoles });
export const tlsInfo = () => api('GET', '/api/server/tls');
