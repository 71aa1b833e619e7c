/**
 * Reads a request body with a hard size limit that holds for chunked bodies too (no
 * Content-Length to check up front). The promise never rejects: every outcome is a value, so
 * a body that fails while nobody is awaiting it yet cannot become an unhandled rejection.
 */
import type { IncomingMessage } from 'node:http';

export type BodyResult =
  { ok: true; text: string } | { ok: false; why: 'tooLarge' } | { ok: false; why: 'aborted'; detail: string };

export function readBoundedBody(req: IncomingMessage, limit: number): Promise<BodyResult> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const finish = (r: BodyResult) => {
      if (done) return;
      done = true;
      chunks.length = 0;
      req.off('data', onData);
      resolve(r);
    };
    const onData = (chunk: Buffer) => {
      if (done) return;
      size += chunk.length;
      if (size > limit) {
        finish({ ok: false, why: 'tooLarge' });
        return;
      }
      chunks.push(chunk);
    };
    req.on('data', onData);
    req.once('end', () => {
      if (!done) {
        const text = Buffer.concat(chunks).toString('utf8');
        finish({ ok: true, text });
      }
    });
    req.once('error', (err) => finish({ ok: false, why: 'aborted', detail: err.message }));
    req.once('close', () => {
      if (!req.complete) finish({ ok: false, why: 'aborted', detail: 'the connection closed before the body ended' });
    });
  });
}

/** A promise that never rejects: the settled outcome as a value. */
export type Settled<T> = { ok: true; value: T } | { ok: false; error: unknown };

export function settle<T>(p: Promise<T>): Promise<Settled<T>> {
  return p.then(
    (value) => ({ ok: true as const, value }),
    (error: unknown) => ({ ok: false as const, error }),
  );
}
