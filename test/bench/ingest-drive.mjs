// Drives simulated agents against a collector over real HTTP: each agent makes its check cycle's
// results and ships them like the real agent (gzip JSON, Bearer secret, a failed batch retried
// with the same seqs), and records every request's latency. Runs in the main thread or, as a
// worker thread's script, on a slice of the fleet.
import { performance } from 'node:perf_hooks';
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { gzipSync } from 'node:zlib';
import { Agent, request } from 'undici';
import { cycleResults, hostProfile, SIM_INTERVAL_MS } from './sim-agent.mjs';

const dispatcher = new Agent({ keepAliveTimeout: 30_000 });
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export function emptyStats() {
  return { requests: 0, reports: 0, duplicates: 0, ackMismatch: 0, latencies: [], slowAt: [], errors: {}, maxLagMs: 0 };
}

/** A new agent's delivery state; `offset` spreads the fleet's cycles over the interval. */
export function newAgentState({ index, id, secret, intervalMs, base }) {
  return { index, id, secret, seq: 0, cycle: 0, queue: [], ackedUpTo: 0, offset: Math.random() * intervalMs, base };
}

/** Appends the agent's next check cycle to its queue; each report remembers its check run. */
function enqueueCycle(agent, profile) {
  const ts = Math.min(Date.now(), agent.base + agent.cycle * SIM_INTERVAL_MS);
  const groups = cycleResults(profile, agent.cycle, ts);
  for (const [g, group] of groups.entries()) {
    for (const result of group) {
      agent.queue.push({ run: `${agent.cycle}.${g}`, cycle: agent.cycle, seq: ++agent.seq, result });
    }
  }
  agent.cycle++;
}

/** How many queued reports the next request carries: a check run, a whole cycle, or --batch. */
function takeCount(queue, delivery, batch) {
  if (batch > 0) return Math.min(batch, queue.length);
  const key = delivery === 'cycle' ? 'cycle' : 'run';
  let n = 1;
  while (n < queue.length && queue[n][key] === queue[0][key]) n++;
  return n;
}

/** Sends the head of the queue once; true when it was acknowledged. */
async function sendOnce(agent, ctx, stats) {
  const n = takeCount(agent.queue, ctx.delivery, ctx.batch);
  const taken = agent.queue.slice(0, n);
  const reports = taken.map(({ seq, result }) => ({ seq, boot_id: 'bench-boot', result }));
  const body = gzipSync(
    JSON.stringify({
      agent_id: agent.id,
      reports,
      agent: {
        boot_id: 'bench-boot',
        version: '0.1.0',
        dropped_total: 0,
        buffer_depth: agent.queue.length - n,
        state: 'running',
      },
    }),
  );
  const started = performance.now();
  try {
    const res = await request(`${ctx.url}/api/v1/ingest`, {
      method: 'POST',
      dispatcher,
      headers: {
        'content-type': 'application/json',
        'content-encoding': 'gzip',
        authorization: `Bearer ${agent.secret}`,
      },
      body,
    });
    const text = await res.body.text();
    const ms = performance.now() - started;
    stats.latencies.push(ms);
    // When the slow requests started (epoch ms): they cluster at the collector's timer work.
    if (ms >= 100 && stats.slowAt.length < 100_000) stats.slowAt.push(Date.now() - ms);
    if (res.statusCode !== 200) {
      stats.errors[res.statusCode] = (stats.errors[res.statusCode] ?? 0) + 1;
      return false;
    }
    const answer = JSON.parse(text);
    const first = taken[0].seq;
    const last = taken[n - 1].seq;
    // The collector must acknowledge exactly the seqs sent, no more, no fewer.
    if (answer.acked.length !== n || answer.acked[0] !== first || answer.acked[n - 1] !== last) stats.ackMismatch++;
    agent.ackedUpTo = last;
    agent.queue.splice(0, n);
    stats.requests++;
    stats.reports += n;
    stats.duplicates += answer.duplicates;
    return true;
  } catch (error) {
    const code = error.code ?? error.message;
    stats.errors[code] = (stats.errors[code] ?? 0) + 1;
    return false;
  }
}

/** Open loop: one cycle every intervalMs (from stepStart + offset) until `until`, shipped as made. */
async function pacedAgent(agent, ctx, stats) {
  const profile = hostProfile(agent.index);
  let next = ctx.stepStart + agent.offset;
  while (next < ctx.until) {
    const wait = next - Date.now();
    if (wait > 0) await sleep(wait);
    else stats.maxLagMs = Math.max(stats.maxLagMs, -wait);
    next += ctx.intervalMs;
    enqueueCycle(agent, profile);
    // Like the real shipper: oldest first, one request at a time; a failure waits for the next cycle.
    while (agent.queue.length > 0 && (await sendOnce(agent, ctx, stats)));
  }
}

/** Closed loop (the old `--rate 0`): each agent sends again as soon as it is answered. */
async function closedAgent(agent, ctx, stats) {
  const profile = hostProfile(agent.index);
  while (Date.now() < ctx.until) {
    while (agent.queue.length < Math.max(1, ctx.batch)) enqueueCycle(agent, profile);
    if (!(await sendOnce(agent, ctx, stats))) await sleep(100);
  }
}

/** Runs every agent of `agents` (mutating their state) until ctx.until; returns the stats. */
export async function driveAgents(agents, ctx) {
  const stats = emptyStats();
  const loop = ctx.closed ? closedAgent : pacedAgent;
  await Promise.all(agents.map((a) => loop(a, ctx, stats)));
  return stats;
}

if (!isMainThread && workerData?.role === 'ingest-drive') {
  const { agents, ctx } = workerData;
  const stats = await driveAgents(agents, ctx);
  const latencies = Float64Array.from(stats.latencies);
  parentPort.postMessage({ stats: { ...stats, latencies }, agents }, [latencies.buffer]);
  await dispatcher.close();
}
