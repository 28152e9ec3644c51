// Interactive shells (the tunnel): open a session, get a WebSocket ticket, list sessions.
import { api, seg } from './client.js';

/** Opens a shell on the agent; the answer carries `session_id`, `websocket_path` and a single-use `ticket`. */
export const openTunnel = (agentId, cols, rows, context = 'system') =>
  api('POST', '/api/v1/tunnel/sessions', { agent_id: agentId, context, cols, rows });

/** A fresh single-use ticket for reattaching (a browser cannot send Authorization on a WebSocket). */
export const tunnelTicket = (sessionId) => api('POST', `/api/v1/tunnel/sessions/${seg(sessionId)}/ticket`);

export const closeTunnel = (sessionId) => api('POST', `/api/v1/tunnel/sessions/${seg(sessionId)}/close`);

export const tunnelSessions = () => api('GET', '/api/v1/tunnel/sessions');

/** The ws(s):// URL of a session's socket with its ticket. */
export const tunnelSocketUrl = (path, ticket) =>
  `${location.origin.replace(/^http/, 'ws')}${path}?ticket=${encodeURIComponent(ticket)}`;
