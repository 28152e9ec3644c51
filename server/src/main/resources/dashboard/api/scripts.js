// The script library, scheduled tasks and policies (docs/OPERATIONS.md, "Automation").
import { api, seg } from './client.js';

export const listScripts = () => api('GET', '/api/scripts');
export const getScript = (id) => api('GET', `/api/scripts/${seg(id)}`);
export const createScript = (body) => api('POST', '/api/scripts', body);
export const updateScript = (id, body) => api('PATCH', `/api/scripts/${seg(id)}`, body);
export const deleteScript = (id) => api('DELETE', `/api/scripts/${seg(id)}`);
export const scriptVersions = (id) => api('GET', `/api/scripts/${seg(id)}/versions`);
export const runScript = (id, body) => api('POST', `/api/scripts/${seg(id)}/run`, body);
export const scriptRuns = (id) => api('GET', `/api/scripts/${seg(id)}/runs`);
export const getBatch = (id) => api('GET', `/api/batches/${seg(id)}`);

export const listSchedules = () => api('GET', '/api/schedules');
export const createSchedule = (body) => api('POST', '/api/schedules', body);
export const updateSchedule = (id, body) => api('PATCH', `/api/schedules/${seg(id)}`, body);
export const deleteSchedule = (id) => api('DELETE', `/api/schedules/${seg(id)}`);
export const scheduleRuns = (id) => api('GET', `/api/schedules/${seg(id)}/runs`);

export const listPolicies = () => api('GET', '/api/policies');
export const createPolicy = (body) => api('POST', '/api/policies', body);
export const updatePolicy = (id, body) => api('PATCH', `/api/policies/${seg(id)}`, body);
export const deletePolicy = (id) => api('DELETE', `/api/policies/${seg(id)}`);
export const assignPolicy = (id, body) => api('POST', `/api/policies/${seg(id)}/assignments`, body);
export const unassignPolicy = (id, assignment) => api('DELETE', `/api/policies/${seg(id)}/assignments/${seg(assignment)}`);
export const excludeAgent = (id, agentId) => api('POST', `/api/policies/${seg(id)}/exclusions`, { agent_id: agentId });
export const includeAgent = (id, agentId) => api('DELETE', `/api/policies/${seg(id)}/exclusions/${seg(agentId)}`);
export const agentPolicies = (agentId) => api('GET', `/api/agents/${seg(agentId)}/policies`);
