// File transfer with an agent: POST|GET /api/agents/{id}/files?path= (raw bytes, SHA-256 checked).
import { ApiError, seg, session } from './client.js';

const filesUrl = (agentId, path, sha256) =>
  `/api/agents/${seg(agentId)}/files?path=${encodeURIComponent(path)}${sha256 ? `&sha256=${sha256}` : ''}`;

/** Lower-case hex SHA-256 of a Blob, or null where the browser offers no WebCrypto (plain http to a remote host). */
export async function sha256Hex(blob) {
  if (!globalThis.crypto?.subtle) return null;
  const digest = await crypto.subtle.digest('SHA-256', await blob.arrayBuffer());
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

async function failure(response) {
  let data = null;
  try {
    data = await response.json();
  } catch {
    data = null;
  }
  return new ApiError(response.status, data?.error ?? `http_${response.status}`,
    data?.message ?? `The server answered HTTP ${response.status}.`);
}

/**
 * Uploads `file` (a File or Blob) to `path` on the agent. The browser's SHA-256 of it goes along,
 * so the agent renames the file into place only if its copy matches. Resolves to the server's
 * `{agent_id, path, size, sha256, offset}`.
 */
export async function uploadFile(agentId, path, file) {
  const sha256 = await sha256Hex(file);
  let response;
  try {
    response = await fetch(filesUrl(agentId, path, sha256), {
      method: 'POST',
      headers: { Authorization: `Bearer ${session.token}`, 'Content-Type': 'application/octet-stream', Accept: 'application/json' },
      body: file,
      cache: 'no-store',
      credentials: 'omit',
    });
  } catch (e) {
    throw new ApiError(0, 'network', `The server cannot be reached (${e.message}).`);
  }
  if (!response.ok) throw await failure(response);
  return response.json();
}

/**
 * Downloads `path` from the agent. Resolves to `{ blob, name, size, sha256, verified }`:
 * `verified` is true when the browser's SHA-256 of the bytes equals the agent's
 * (X-GuruRMM-SHA256), null when the browser cannot hash; a mismatch rejects.
 */
export async function downloadFile(agentId, path) {
  let response;
  try {
    response = await fetch(filesUrl(agentId, path), {
      headers: { Authorization: `Bearer ${session.token}` },
      cache: 'no-store',
      credentials: 'omit',
    });
  } catch (e) {
    throw new ApiError(0, 'network', `The server cannot be reached (${e.message}).`);
  }
  if (!response.ok) throw await failure(response);
  const expected = response.headers.get('X-GuruRMM-SHA256');
  let blob;
  try {
    blob = await response.blob();
  } catch (e) {
    throw new ApiError(0, 'interrupted', `The download was interrupted (${e.message}); try again.`);
  }
  const actual = await sha256Hex(blob);
  if (actual !== null && actual !== expected) {
    throw new ApiError(0, 'checksum_mismatch', `The downloaded bytes hash to ${actual}, not the agent's ${expected}; try again.`);
  }
  const name = path.split(/[\\/]/).pop() || 'download';
  return { blob, name, size: blob.size, sha256: expected, verified: actual === null ? null : true };
}
