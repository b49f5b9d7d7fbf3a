// Whether a network service answers: a TCP connect to host:port, or an HTTP(S) request to a URL
// with its status, its latency and, for HTTPS, the days until its certificate expires.
import { readFile } from 'node:fs/promises';
import { STATUS_CODES } from 'node:http';
import { compareStatus, type Measurement, type SchemaIssue, type Status, worstStatus } from '@vitals/shared';
import Type from 'typebox';
import { type CheckOutcome, defineCheck, statusAbove, statusBelow } from './check.js';
import { type CertInfo, type ProbeOutcome, probeHttp, probeTcp } from './endpoint-probe.js';

const DAY_MS = 86_400_000;

const endpointOptions = {
  url: Type.Optional(
    Type.String({ minLength: 1, description: 'http:// or https:// URL to request; or use host + port' }),
  ),
  host: Type.Optional(Type.String({ minLength: 1, description: 'host name or address for a plain TCP connect' })),
  port: Type.Optional(Type.Integer({ minimum: 1, maximum: 65535, description: 'TCP port, with host' })),
  expect_status: Type.Optional(
    Type.Union(
      [Type.Integer({ minimum: 100, maximum: 599 }), Type.Array(Type.Integer({ minimum: 100, maximum: 599 }))],
      {
        description: 'HTTP status (or list) that counts as up; default: any 2xx or 3xx (redirects are not followed)',
      },
    ),
  ),
  method: Type.Union([Type.Literal('GET'), Type.Literal('HEAD')], {
    default: 'GET',
    description: 'HTTP method; the response body is never read',
  }),
  warn_latency_ms: Type.Optional(Type.Number({ minimum: 0, description: 'WARNING when the answer takes longer' })),
  crit_latency_ms: Type.Optional(Type.Number({ minimum: 0, description: 'CRITICAL when the answer takes longer' })),
  // Let's Encrypt renews at 30 days left, commercial certificates are renewed weeks ahead: 14 days
  // left means renewal has failed; 3 days still leaves a working day to fix it.
  cert_warn_days: Type.Number({ minimum: 0, default: 14, description: 'WARNING when the certificate expires sooner' }),
  cert_crit_days: Type.Number({ minimum: 0, default: 3, description: 'CRITICAL when the certificate expires sooner' }),
  ca_file: Type.Optional(
    Type.String({ minLength: 1, description: 'PEM file of a private CA to trust, in addition to the built-in roots' }),
  ),
  tls_verify: Type.Boolean({
    default: true,
    description: 'false accepts an untrusted certificate (self-signed) but still reports its expiry',
  }),
};

interface EndpointOptions {
  url?: string;
  host?: string;
  port?: number;
  ca_file?: string;
  tls_verify?: boolean;
}

/** Rules the schema cannot say: exactly one of url or host + port, and a usable URL. */
export function endpointIssues(options: EndpointOptions): SchemaIssue[] {
  const tcp = options.host !== undefined || options.port !== undefined;
  if (options.url !== undefined && tcp) return [{ path: '', message: 'give either url, or host and port — not both' }];
  if (options.url === undefined && !tcp)
    return [{ path: '', message: 'needs url (http:// or https://) or host and port' }];
  if (options.url !== undefined) {
    let url: URL;
    try {
      url = new URL(options.url);
    } catch {
      return [{ path: 'url', message: 'is not a valid URL' }];
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:')
      return [{ path: 'url', message: 'must start with http:// or https://' }];
    return [];
  }
  if (options.host === undefined) return [{ path: 'host', message: 'is required with port' }];
  if (options.port === undefined) return [{ path: 'port', message: 'is required with host' }];
  return [];
}

function isoDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

function days(n: number): string {
  return `${n} day${n === 1 ? '' : 's'}`;
}

interface Finding {
  status: Status;
  text: string;
}

function judgeCert(cert: CertInfo, now: number, warnDays: number, critDays: number, tlsVerify: boolean): Finding[] {
  const left = (cert.validTo - now) / DAY_MS;
  const findings: Finding[] = [];
  if (cert.problem !== undefined && tlsVerify) {
    findings.push({ status: 'CRITICAL', text: `certificate not accepted: ${cert.problem}` });
  }
  if (left < 0) {
    const ago = Math.floor(-left);
    findings.push({
      status: 'CRITICAL',
      text: `certificate expired ${ago === 0 ? 'today' : `${days(ago)} ago`} (${isoDate(cert.validTo)})`,
    });
  } else {
    const status = statusBelow(left, warnDays, critDays);
    const when = `${days(Math.floor(left))} (${isoDate(cert.validTo)})`;
    findings.push({
      status,
      text: status === 'OK' ? `certificate valid for ${when}` : `certificate expires in ${when}`,
    });
  }
  return findings;
}

function describeStatus(code: number, text: string | undefined, location: string | undefined): string {
  const words = text || STATUS_CODES[code] || '';
  return `${code}${words ? ` ${words}` : ''}${location ? ` → ${location}` : ''}`;
}

function expected(expect: number | number[] | undefined): { ok: (code: number) => boolean; said: string } {
  if (expect === undefined) return { ok: (c) => c >= 200 && c < 400, said: '2xx or 3xx' };
  const list = Array.isArray(expect) ? expect : [expect];
  return { ok: (c) => list.includes(c), said: list.join(' or ') };
}

export const endpointCheck = defineCheck({
  kind: 'endpoint',
  summary: 'TCP connect or HTTP(S) status and latency; for HTTPS, days until the certificate expires',
  options: endpointOptions,
  defaultInterval: '60s',
  defaultTimeout: '10s',
  validate: endpointIssues,
  async run(options, ctx) {
    const target = options.url ?? `${options.host}:${options.port}`;
    const issues = endpointIssues(options);
    if (issues.length > 0) {
      const where = (i: SchemaIssue) => (i.path === '' ? i.message : `${i.path} ${i.message}`);
      return [{ target, status: 'UNKNOWN', values: {}, message: `misconfigured: ${issues.map(where).join('; ')}` }];
    }
    let ca: string | undefined;
    if (options.ca_file !== undefined) {
      try {
        ca = await readFile(options.ca_file, 'utf8');
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        const why = code === 'ENOENT' ? 'file not found' : code === 'EACCES' ? 'permission denied' : String(error);
        return [{ target, status: 'UNKNOWN', values: {}, message: `cannot read ca_file ${options.ca_file}: ${why}` }];
      }
    }
    // Our own deadline comes a little before the runner's, so a silent server is judged
    // CRITICAL ("no answer within …") rather than left UNKNOWN.
    const timeouts = {
      signal: ctx.signal,
      deadlineMs: Math.max(1, ctx.timeoutMs - Math.min(1000, ctx.timeoutMs / 10)),
    };
    const outcome =
      options.url !== undefined
        ? await probeHttp({
            url: new URL(options.url),
            method: options.method,
            tlsVerify: options.tls_verify,
            ...(ca !== undefined ? { ca } : {}),
            ...timeouts,
          })
        : await probeTcp(options.host as string, options.port as number, timeouts);
    return [judge(target, outcome, options, ctx.now())];
  },
});

function judge(
  target: string,
  outcome: ProbeOutcome,
  options: {
    expect_status?: number | number[];
    warn_latency_ms?: number;
    crit_latency_ms?: number;
    cert_warn_days: number;
    cert_crit_days: number;
    tls_verify: boolean;
  },
  now: number,
): CheckOutcome {
  const values: Record<string, Measurement> = {};
  const certFindings = outcome.cert
    ? judgeCert(outcome.cert, now, options.cert_warn_days, options.cert_crit_days, options.tls_verify)
    : [];
  const certValue = (): void => {
    if (outcome.cert)
      values.cert_days_left = { value: Math.floor((outcome.cert.validTo - now) / DAY_MS), unit: 'days' };
  };
  if (!outcome.reached) {
    certValue();
    // The endpoint being down is the news; a certificate problem seen on the way is secondary.
    const extra = certFindings.filter((f) => f.status !== 'OK').map((f) => `; ${f.text}`);
    return {
      target,
      status: 'CRITICAL',
      values,
      message: `cannot reach ${target} — ${outcome.reason}${extra.join('')}`,
    };
  }
  const latency = Math.round(outcome.latencyMs * 10) / 10;
  values.latency_ms = { value: latency, unit: 'ms' };
  if (outcome.statusCode !== undefined) values.status_code = { value: outcome.statusCode };
  certValue();
  const findings: Finding[] = [];
  const took = `in ${Math.round(latency)} ms`;
  const latencyStatus = statusAbove(latency, options.warn_latency_ms, options.crit_latency_ms);
  if (outcome.statusCode === undefined && outcome.cert?.problem !== undefined) {
    // Stopped after the handshake: nothing was sent over a connection we do not trust.
    findings.push({ status: 'OK', text: `nothing was requested over the untrusted connection` });
  } else if (outcome.statusCode === undefined) {
    findings.push({ status: 'OK', text: `${target} accepts connections (${took})` });
  } else {
    const want = expected(options.expect_status);
    const said = describeStatus(outcome.statusCode, outcome.statusText, outcome.location);
    findings.push(
      want.ok(outcome.statusCode)
        ? { status: 'OK', text: `${target} answered ${said} ${took}` }
        : { status: 'CRITICAL', text: `${target} answered ${said}, expected ${want.said}` },
    );
  }
  findings.push(...certFindings);
  if (latencyStatus !== 'OK') {
    const limit = latencyStatus === 'CRITICAL' ? options.crit_latency_ms : options.warn_latency_ms;
    findings.push({ status: latencyStatus, text: `slow: ${Math.round(latency)} ms (limit ${limit} ms)` });
  }
  const status = worstStatus(findings.map((f) => f.status));
  // Worst finding first, so the message starts with what needs doing.
  const ordered = [...findings].sort((a, b) => compareStatus(b.status, a.status));
  return { target, status, values, message: ordered.map((f) => f.text).join('; ') };
}
