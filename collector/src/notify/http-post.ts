// POSTs a JSON body to a receiver (webhook, Slack, Teams) with a timeout and sorts its answer into
// delivered / try again / give up. Error texts never carry the URL: for Slack and Teams the URL
// itself is the secret.
import { VERSION } from '../version.js';
import type { SendOutcome } from './channel.js';

const EXCERPT = 300;

/** Where a Slack or Teams message goes; for those the URL itself is the secret, never logged. */
export interface HttpTarget {
  url: string;
  timeoutMs: number;
}

function excerpt(body: string): string {
  const flat = body.replace(/\s+/g, ' ').trim();
  return flat.length > EXCERPT ? `${flat.slice(0, EXCERPT)}…` : flat;
}

/** Seconds or an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null, now: number): number | undefined {
  if (!value) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** 408 and 429 say "later"; any other 4xx says the request itself is wrong. */
export function isPermanentStatus(status: number): boolean {
  return status >= 300 && status < 500 && status !== 408 && status !== 429;
}

function describeError(error: unknown, timeoutMs: number): string {
  const e = error as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (e.name === 'TimeoutError' || e.name === 'AbortError') return `no answer within ${timeoutMs / 1000} s`;
  const cause = e.cause;
  if (cause?.code) return `${cause.code}: ${cause.message ?? e.message ?? ''}`.trim();
  return e.message ?? String(error);
}

export async function postJson(
  url: string,
  body: string,
  headers: Record<string, string>,
  timeoutMs: number,
  now: () => number = Date.now,
): Promise<SendOutcome> {
  let res: Response;
  let text: string;
  try {
    res = await fetch(url, {
      method: 'POST',
      body,
      headers: { 'content-type': 'application/json', 'user-agent': `vitals-collector/${VERSION}`, ...headers },
      // A redirect would re-send a signed body to a place nobody configured; the URL must be final.
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
    });
    text = await res.text();
  } catch (error) {
    return { ok: false, permanent: false, error: describeError(error, timeoutMs) };
  }
  const answer = `HTTP ${res.status}${text ? ` ${excerpt(text)}` : ''}`;
  if (res.status >= 200 && res.status < 300) return { ok: true, response: answer };
  if (res.status >= 300 && res.status < 400) {
    return { ok: false, permanent: true, error: `${answer} (redirects are not followed: configure the final URL)` };
  }
  const retryAfterMs = parseRetryAfter(res.headers.get('retry-after'), now());
  return {
    ok: false,
    permanent: isPermanentStatus(res.status),
    error: answer,
    ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
  };
}
