// JSON request bodies, plain or gzip: read whole (at most the body limit on the wire), inflated in
// one synchronous call that stops at the body limit (so a gzip bomb costs at most that much work
// and answers 413), then parsed with fastify's own JSON parser (prototype poisoning refused).
// A gzip stream per request cost ~25× more CPU than this for the agents' few-KB batches.
import { gunzipSync } from 'node:zlib';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { HttpError } from './api-error.js';

/** The body of a request as sent (Content-Encoding gzip, identity or none) → the JSON text's bytes. */
export function decodeBody(encoding: string | undefined, body: Buffer, maxBytes: number): Buffer {
  const coding = (encoding ?? 'identity').trim().toLowerCase();
  if (coding === 'identity' || coding === '') {
    return body;
  }
  if (coding !== 'gzip' && coding !== 'x-gzip') {
    throw new HttpError(
      415,
      'unsupported_encoding',
      `Content-Encoding "${encoding}" is not supported; send gzip or none`,
    );
  }
  try {
    return gunzipSync(body, { maxOutputLength: maxBytes });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
      throw new HttpError(413, 'too_large', 'request body is too large (limit applies after decompression)');
    }
    throw new HttpError(400, 'invalid_body', `gzip body could not be decompressed: ${(error as Error).message}`);
  }
}

/** Replaces fastify's application/json parser with one that also takes gzip bodies. */
export function registerJsonBody(app: FastifyInstance, maxBytes: number): void {
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser(
    'application/json',
    { parseAs: 'buffer' },
    (request: FastifyRequest, body: Buffer, done: (err: Error | null, value?: unknown) => void) => {
      let text: Buffer;
      try {
        text = decodeBody(request.headers['content-encoding'], body, maxBytes);
      } catch (error) {
        done(error as Error);
        return;
      }
      parseJson(request, text.toString('utf8'), done);
    },
  );
}
