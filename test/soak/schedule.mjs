// The soak's fault schedule: from a seed, when each fault starts, what it hits and how long it lasts.
// Pure and deterministic, so a failing run is replayed exactly with the same --seed and --duration.

/** mulberry32: a small, fast PRNG; plenty for scheduling faults, and the same on every machine. */
export function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Each lane is one thing that can fail (an agent, the collector, the SMTP server, …): its faults
 * never overlap each other, but lanes run independently, so faults of different kinds do overlap
 * (a collector outage while one agent's disk is full is the interesting case).
 * Times in seconds: first = delay of the first fault after warm-up, gap = quiet time between two,
 * hold = how long the fault lasts (the pause before a restart, the length of an outage).
 */
const LANES = {
  agent_kill: { first: [5, 40], gap: [20, 60], hold: [0.3, 3] },
  collector_outage: { first: [10, 35], gap: [25, 50], hold: [5, 20] },
  disk_full: { first: [5, 30], gap: [20, 45], hold: [20, 45] },
  smtp_outage: { first: [5, 40], gap: [20, 50], hold: [10, 30] },
  process_kill: { first: [2, 15], gap: [5, 20], hold: [2, 15] },
  response_loss: { first: [3, 20], gap: [15, 40], hold: [2, 8] },
};

export const FAULT_KINDS = Object.keys(LANES);

/**
 * The faults of one run, sorted by start: { at, kind, target, hold } with at and hold in ms.
 * target: the agent index for agent_kill, process_kill, response_loss and disk_full; null otherwise. Every fault
 * ends before `durationMs`; the collector, disk and SMTP lanes get at least one fault each.
 */
export function faultSchedule({ seed, durationMs, agents, diskAgent, warmupMs = 8000 }) {
  const random = prng(seed);
  const between = ([lo, hi]) => (lo + random() * (hi - lo)) * 1000;
  const events = [];
  const lane = (kind, target, always = false) => {
    const spec = LANES[kind];
    let at = warmupMs + between(spec.first);
    let count = 0;
    for (;;) {
      const hold = between(spec.hold);
      if (at + hold > durationMs) break;
      events.push({ at: Math.round(at), kind, target, hold: Math.round(hold) });
      count++;
      at += hold + between(spec.gap);
    }
    // A short run still sees every kind of outage once (shortened to fit if need be).
    if (count === 0 && always && durationMs > warmupMs + 2000) {
      const room = durationMs - warmupMs - 1000;
      const hold = Math.min(between(spec.hold), room / 2);
      events.push({ at: Math.round(warmupMs + random() * (room - hold)), kind, target, hold: Math.round(hold) });
    }
  };
  for (let i = 0; i < agents; i++) lane('agent_kill', i);
  for (let i = 0; i < agents; i++) lane('process_kill', i);
  for (let i = 0; i < agents; i++) lane('response_loss', i);
  lane('collector_outage', null, true);
  lane('smtp_outage', null, true);
  if (diskAgent !== null) lane('disk_full', diskAgent, true);
  return events.sort((a, b) => a.at - b.at || a.kind.localeCompare(b.kind));
}
