// Serves the dashboard's pages: GET / → index.html, GET /assets/<file> → the esbuild bundle of
// collector/src/web/. Nothing secret is in them (the data comes from the API, behind a login), so
// they need no session. A strict Content-Security-Policy allows only our own script and styles.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/**
 * No inline script or style, no other origin, no framing. uPlot sizes its elements through the
 * CSSOM (element.style), which style-src does not restrict; `data:` images are the empty favicon.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.html': 'text/html; charset=utf-8',
};

/** Asset names are content-hashed by the build, so a browser may keep them for a year. */
const IMMUTABLE = 'public, max-age=31536000, immutable';
const ASSET_NAME = /^[A-Za-z0-9._-]+$/;

/**
 * Where the built pages are: beside the collector bundle (collector/dist/web/ next to
 * collector/dist/vitals-collector.js), or, when running from source (tests), collector/dist/web/
 * seen from collector/src/http/.
 */
export function defaultWebDir(): string {
  const candidates = [new URL('./web/', import.meta.url), new URL('../../dist/web/', import.meta.url)];
  const found = candidates.find((url) => existsSync(new URL('index.html', url)));
  return fileURLToPath(found ?? (candidates[0] as URL));
}

interface Asset {
  body: Buffer;
  gzip: Buffer | null;
  type: string;
}

function loadAsset(dir: string, name: string): Asset {
  const body = readFileSync(join(dir, name));
  const type = TYPES[extname(name)] ?? 'application/octet-stream';
  // Compressed once, on first request: the script is ~50 KB, ~20 KB gzipped.
  return { body, type, gzip: body.length > 1024 ? gzipSync(body, { level: 9 }) : null };
}

function send(request: FastifyRequest, reply: FastifyReply, asset: Asset, cache: string): FastifyReply {
  reply
    .header('content-type', asset.type)
    .header('cache-control', cache)
    .header('content-security-policy', CONTENT_SECURITY_POLICY)
    .header('x-content-type-options', 'nosniff')
    .header('referrer-policy', 'no-referrer')
    .header('x-frame-options', 'DENY')
    .header('vary', 'accept-encoding');
  const accepts = String(request.headers['accept-encoding'] ?? '');
  if (asset.gzip && /\bgzip\b/.test(accepts)) return reply.header('content-encoding', 'gzip').send(asset.gzip);
  return reply.send(asset.body);
}

export function registerWebRoutes(app: FastifyInstance, options: { dir?: string } = {}): void {
  const dir = options.dir ?? defaultWebDir();
  const cache = new Map<string, Asset>();
  const asset = (name: string): Asset | undefined => {
    let found = cache.get(name);
    if (!found) {
      if (!ASSET_NAME.test(name) || name === 'index.html' || !existsSync(join(dir, name))) return undefined;
      // Only files the build wrote: the directory listing, not a path the request names.
      if (!readdirSync(dir).includes(name)) return undefined;
      found = loadAsset(dir, name);
      cache.set(name, found);
    }
    return found;
  };

  app.get('/', async (request, reply) => {
    const index = join(dir, 'index.html');
    if (!existsSync(index)) {
      return reply
        .status(503)
        .type('text/plain; charset=utf-8')
        .send(`The dashboard is not built (no ${index}); run \`pnpm run build\` and restart the collector.\n`);
    }
    // Read each time (a rebuild names new assets), never cached by the browser for long.
    return send(request, reply, loadAsset(dir, 'index.html'), 'no-cache');
  });

  app.get<{ Params: { file: string } }>('/assets/:file', async (request, reply) => {
    const found = asset(request.params.file);
    if (!found) {
      return reply.status(404).send({ error: 'not_found', message: `no dashboard asset ${request.params.file}` });
    }
    return send(request, reply, found, IMMUTABLE);
  });
}
