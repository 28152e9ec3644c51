// Commands by id.
import { api, seg } from './client.js';
import { openEventStream } from './events.js';

export const getCommand = (id) => api('GET', `/api/commands/${seg(id)}`);
export const cancelCommand = (id) => api('POST', `/api/commands/${seg(id)}/cancel`);

/** The stored live-output chunks after `afterSeq`: {chunks, next_seq, complete, more, status, exit_code}. */
export const getCommandOutput = (id, afterSeq = 0) => api('GET', `/api/commands/${seg(id)}/output?after_seq=${Number(afterSeq) || 0}`);

/**
 * Follows a command's live output (GET /api/commands/{id}/output?follow=true): `onChunk(chunk)` for each
 * chunk ({seq, stream, offset, data, at, stopped}) from `afterSeq` on, `onEnd({status, exit_code})` once the
 * command is final. A dropped stream is resumed from the last seq seen until the end arrives or `signal`
 * aborts. Resolves when it is over.
 */
export async function followCommandOutput(id, afterSeq, { onChunk, onEnd }, signal) {
  let after = Number(afterSeq) || 0;
  let ended = false;
  while (!ended && !signal?.aborted) {
    try {
      await openEventStream(`/api/commands/${seg(id)}/output?follow=true&after_seq=${after}`, ({ type, data }) => {
        if (type === 'output' && data) {
          after = Math.max(after, data.seq);
          onChunk(data);
        } else if (type === 'end') {
          ended = true;
          onEnd(data ?? {});
          return 'stop';
        } else if (type === 'unauthorized') {
          ended = true;
          return 'stop';
        }
        return undefined;
      }, signal);
    } catch (e) {
      if (signal?.aborted || e.status === 404 || e.status === 401 || e.message === 'HTTP 401') return;
    }
    if (!ended && !signal?.aborted) await new Promise((resolve) => setTimeout(resolve, 2000));
  }
}
