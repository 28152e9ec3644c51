// Releases in the downloads directory (admin).
import { api, seg } from './client.js';

export const listReleases = () => api('GET', '/api/releases');
export const setReleaseChannel = (file, channel) => api('POST', `/api/releases/${seg(file)}/channel`, { channel });
