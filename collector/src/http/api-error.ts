// The API's error vocabulary: a typed error for every 4xx the routes raise, and the mapping of
// fastify's and its plugins' own errors onto `{error, message}` bodies (shared ApiErrorSchema).
import type { ApiError, SchemaIssue } from '@vitals/shared';

export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

const PART_NAMES: Record<string, string> = { querystring: 'query string', params: 'path', headers: 'headers' };

/** A request body (or query string, path, headers: `part` as fastify names it) that does not match its schema. */
export class InvalidBodyError extends HttpError {
  constructor(
    readonly issues: SchemaIssue[],
    part = 'body',
  ) {
    const shown = issues.slice(0, 5).map((i) => (i.path === '' ? i.message : `${i.path}: ${i.message}`));
    const more = issues.length > 5 ? ` (and ${issues.length - 5} more)` : '';
    const name = PART_NAMES[part] ?? part;
    const code = part === 'body' ? 'invalid_body' : 'invalid_request';
    super(400, code, `request ${name} does not match the schema: ${shown.join('; ')}${more}`);
  }
}

interface FastifyLikeError {
  statusCode?: number;
  code?: string;
  message?: string;
}

/** Maps any error thrown while handling a request to its status and body. */
export function toApiError(error: unknown): { status: number; body: ApiError } {
  if (error instanceof HttpError)
    return { status: error.statusCode, body: { error: error.code, message: error.message } };
  const e = (error ?? {}) as FastifyLikeError;
  switch (e.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return {
        status: 413,
        body: { error: 'too_large', message: 'request body is too large (limit applies after decompression)' },
      };
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return { status: 415, body: { error: 'unsupported_media_type', message: 'send Content-Type: application/json' } };
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return { status: 400, body: { error: 'invalid_json', message: `request body is not valid JSON: ${e.message}` } };
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return { status: 400, body: { error: 'bad_request', message: 'Content-Length does not match the body' } };
  }
  const status = e.statusCode ?? 500;
  if (status === 429) return { status, body: { error: 'rate_limited', message: e.message ?? 'too many requests' } };
  if (status === 400 && error instanceof SyntaxError) {
    return { status, body: { error: 'invalid_json', message: `request body is not valid JSON: ${error.message}` } };
  }
  if (status >= 400 && status < 500)
    return { status, body: { error: 'bad_request', message: e.message ?? 'bad request' } };
  return { status: 500, body: { error: 'internal_error', message: 'internal error; see the collector log' } };
}
