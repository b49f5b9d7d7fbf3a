// WAL checkpoints on a worker thread with its own connection, so the serving thread never copies
// WAL pages into the database file or waits for its fsync. The serving connection turns SQLite's
// automatic checkpoint off while this runs. PASSIVE checkpoints never block the writer or readers;
// once one has copied the whole WAL, the writer's next transaction starts the WAL file over, so it
// does not grow. If it grows past `truncateAboveBytes` anyway (a long reader held it), the worker
// asks for a TRUNCATE checkpoint, which waits for the writer for at most its busy timeout.
import { statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

export interface CheckpointerOptions {
  /** The database file (its WAL is `<file>-wal`). */
  file: string;
  /** How often to checkpoint while the WAL does not change. */
  everyMs: number;
  /** The pause between passes while the writer keeps adding frames (default 10 ms). */
  busyMs?: number;
  /** WAL size at which a TRUNCATE checkpoint is asked for instead of a PASSIVE one. */
  truncateAboveBytes: number;
  /** Called with a checkpoint's error (the worker keeps going). */
  onError?: (message: string) => void;
}

export interface CheckpointStats {
  checkpoints: number;
  /** WAL frames in the database file after the last checkpoint, of `lastLog` in the WAL. */
  lastFrames: number;
  lastLog: number;
  errors: number;
}

// Plain CommonJS, evaluated in the worker: this file is bundled, so the worker cannot be a module path.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { statSync } = require('node:fs');
const Database = require(workerData.driver);
const db = new Database(workerData.file);
db.pragma('busy_timeout = 1000');
function walBytes() {
  try { return statSync(workerData.file + '-wal').size; } catch { return 0; }
}
let timer;
let stopped = false;
let last = { log: -1, done: -1 };
// While the writer adds frames, passes follow each other closely: each copies only the few frames
// of the last commits, so one soon ends between two commits with the whole WAL copied, and the
// next commit starts the WAL over. With nothing new, the next pass waits everyMs.
function pass() {
  let delay = workerData.everyMs;
  try {
    const mode = walBytes() > workerData.truncateAboveBytes ? 'TRUNCATE' : 'PASSIVE';
    const [row] = db.pragma('wal_checkpoint(' + mode + ')');
    const log = row ? row.log : 0;
    const done = row ? row.checkpointed : 0;
    if (log !== last.log || done !== last.done) delay = workerData.busyMs;
    last = { log, done };
    parentPort.postMessage({ kind: 'done', frames: done, log });
  } catch (error) {
    parentPort.postMessage({ kind: 'error', message: String(error && error.message || error) });
  }
  if (!stopped) timer = setTimeout(pass, delay);
}
timer = setTimeout(pass, workerData.everyMs);
parentPort.on('message', (m) => {
  if (m !== 'stop') return;
  stopped = true;
  clearTimeout(timer);
  db.close();
  parentPort.close();
});
`;

export class Checkpointer {
  private readonly worker: Worker;
  private readonly exited: Promise<void>;
  readonly stats: CheckpointStats = { checkpoints: 0, lastFrames: 0, lastLog: 0, errors: 0 };

  constructor(options: CheckpointerOptions) {
    const driver = createRequire(import.meta.url).resolve('better-sqlite3');
    this.worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: {
        driver,
        file: options.file,
        everyMs: options.everyMs,
        busyMs: options.busyMs ?? 10,
        truncateAboveBytes: options.truncateAboveBytes,
      },
    });
    this.worker.unref();
    type Message = { kind: 'done'; frames: number; log: number } | { kind: 'error'; message: string };
    this.worker.on('message', (m: Message) => {
      if (m.kind === 'done') {
        this.stats.checkpoints++;
        this.stats.lastFrames = m.frames;
        this.stats.lastLog = m.log;
      } else {
        this.stats.errors++;
        options.onError?.(m.message);
      }
    });
    this.worker.on('error', (error) => {
      this.stats.errors++;
      options.onError?.(error.message);
    });
    this.exited = new Promise((resolve) => this.worker.once('exit', () => resolve()));
  }

  /** Stops the worker and closes its connection (before the serving connection closes). */
  async stop(): Promise<void> {
    this.worker.postMessage('stop');
    await Promise.race([this.exited, new Promise((r) => setTimeout(r, 5000).unref())]);
    await this.worker.terminate();
  }
}

/** Size of a database's WAL file in bytes (0 when there is none). */
export function walBytes(file: string): number {
  try {
    return statSync(`${file}-wal`).size;
  } catch {
    return 0;
  }
}
