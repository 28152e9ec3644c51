// Live updates: one server-sent event stream (GET /api/events) shared by every page.
// EventSource cannot send the Authorization header, so the stream is read with fetch and parsed
// here. It reconnects with Last-Event-ID after a drop; when the server answers `reset` (the gap
// is too old, or this tab fell behind) every subscriber is told to reload from the REST API.
import { session, UNAUTHORIZED_EVENT } from './client.js';

const subscribers = new Set();
let controller = null;
let lastEventId = null;
let retryMs = 2000;

/**
 * Calls `onEvent({type, data})` for every event whose type is in `types`, and `onReset()` when
 * the page must reload its data. Returns the unsubscribe function.
 */
export function subscribe(types, onEvent, onReset = () => {}) {
  const sub = { types: new Set(types), onEvent, onReset };
  subscribers.add(sub);
  if (!controller) connect();
  return () => {
    subscribers.delete(sub);
    if (subscribers.size === 0 && controller) {
      controller.abort();
      controller = null;
    }
  };
}

function dispatch(type, data) {
  for (const sub of subscribers) {
    try {
      if (type === 'reset') sub.onReset();
      else if (sub.types.has(type)) sub.onEvent({ type, data });
    } catch (e) {
      console.error('event subscriber failed', e);
    }
  }
}

async function connect() {
  const mine = new AbortController();
  controller = mine;
  while (controller === mine && session.token) {
    try {
      const headers = { Accept: 'text/event-stream', Authorization: `Bearer ${session.token}` };
      if (lastEventId) headers['Last-Event-ID'] = lastEventId;
      const response = await fetch('/api/events', { headers, signal: mine.signal, cache: 'no-store', credentials: 'omit' });
      if (response.status === 401 || !session.token) {
        endSession('Your session has ended.');
        return;
      }
      if (!response.ok || !response.body) throw new Error(`HTTP ${response.status}`);
      if (await read(response.body.getReader()) === 'unauthorized') return;
    } catch (e) {
      if (mine.signal.aborted) return;
    }
    // The stream ended or failed: what happened meanwhile comes with Last-Event-ID on the next try.
    await new Promise((resolve) => setTimeout(resolve, retryMs));
  }
}

/** The server revoked or expired the session: the same path as a 401 from any API call. */
function endSession(message) {
  if (controller) controller.abort();
  controller = null;
  lastEventId = null;
  if (!session.token) return;
  session.clear();
  window.dispatchEvent(new CustomEvent(UNAUTHORIZED_EVENT, { detail: `${message} Sign in again.` }));
}

async function read(reader) {
  const decoder = new TextDecoder();
  let buffer = '';
  let event = { id: null, type: 'message', data: [] };
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += decoder.decode(value, { stream: true });
    let newline;
    while ((newline = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, newline).replace(/\r$/, '');
      buffer = buffer.slice(newline + 1);
      if (line === '') {
        if (event.data.length) {
          if (event.id) lastEventId = event.id;
          let data = null;
          try {
            data = JSON.parse(event.data.join('\n'));
          } catch {
            data = null;
          }
          if (event.type === 'reset') lastEventId = null;
          if (event.type === 'unauthorized') {
            endSession(`Your session has ended (${data?.message ?? 'signed out'})`);
            return 'unauthorized';
          }
          dispatch(event.type, data);
        }
        event = { id: null, type: 'message', data: [] };
      } else if (line.startsWith(':')) {
        // keepalive comment
      } else if (line.startsWith('id:')) {
        event.id = line.slice(3).trim();
      } else if (line.startsWith('event:')) {
        event.type = line.slice(6).trim();
      } else if (line.startsWith('data:')) {
        event.data.push(line.slice(5).trimStart());
      } else if (line.startsWith('retry:')) {
        const ms = Number.parseInt(line.slice(6).trim(), 10);
        if (ms > 0) retryMs = ms;
      }
    }
  }
}

/**
 * Parses one server-sent event stream (`reader` from a fetch body) and calls `onEvent({id, type, data})`
 * for each event, `data` parsed as JSON (null if it is not). Resolves when the stream ends, or as soon
 * as `onEvent` returns 'stop'.
 */
export async function parseEventStream(reader, onEvent) {
  const decoder = new TextDecoder();
  let buffer = '';
  let event = { id: null, type: 'message', data: [] };
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += decoder.decode(value, { stream: true });
    let newline;
    while ((newline = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, newline).replace(/\r$/, '');
      buffer = buffer.slice(newline + 1);
      if (line === '') {
        if (event.data.length) {
          let data = null;
          try {
            data = JSON.parse(event.data.join('\n'));
          } catch {
            data = null;
          }
          if (onEvent({ id: event.id, type: event.type, data }) === 'stop') {
            reader.cancel().catch(() => {});
            return;
          }
        }
        event = { id: null, type: 'message', data: [] };
      } else if (line.startsWith('id:')) {
        event.id = line.slice(3).trim();
      } else if (line.startsWith('event:')) {
        event.type = line.slice(6).trim();
      } else if (line.startsWith('data:')) {
        event.data.push(line.slice(5).trimStart());
      }
    }
  }
}

/**
 * Opens an authenticated server-sent event stream other than the shared one (e.g. a command's live
 * output) and hands its events to `onEvent` (see parseEventStream). Resolves when the stream ends;
 * rejects with the HTTP status when it is refused. A 401 ends the session as everywhere else.
 */
export async function openEventStream(path, onEvent, signal) {
  const response = await fetch(path, {
    headers: { Accept: 'text/event-stream', Authorization: `Bearer ${session.token}` },
    signal,
    cache: 'no-store',
    credentials: 'omit',
  });
  if (response.status === 401) {
    endSession('Your session has ended.');
    throw new Error('HTTP 401');
  }
  if (!response.ok || !response.body) throw Object.assign(new Error(`HTTP ${response.status}`), { status: response.status });
  await parseEventStream(response.body.getReader(), onEvent);
}
