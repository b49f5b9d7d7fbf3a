// The soak's verdicts, from what the run left behind: every report each agent buffered stored once
// (gaps only where the agent counted drops), results lost in memory on a full disk only as the
// agent's own log accounts for them, every fired alert told by email (and webhook), resolves told,
// nothing stuck in the outbox, every delivered notification actually received. Pure.

/** Sorted distinct sequence numbers → duplicates, holes between first and last, and their count. */
export function seqStats(seqs) {
  const sorted = [...seqs].sort((a, b) => a - b);
  let duplicates = 0;
  let gaps = 0;
  const holes = [];
  for (let i = 1; i < sorted.length; i++) {
    const d = sorted[i] - sorted[i - 1];
    if (d === 0) duplicates++;
    else if (d > 1) {
      gaps += d - 1;
      if (holes.length < 5) holes.push([sorted[i - 1] + 1, sorted[i] - 1]);
    }
  }
  return { stored: sorted.length - duplicates, duplicates, gaps, holes, first: sorted[0], last: sorted.at(-1) };
}

/**
 * One agent: { host, seqs, lastAssigned (the buffer's last sequence number), status (final
 * `vitals status --json`), collectorDropped (what `agents --json` says) }.
 */
export function verifyAgent(a) {
  const s = seqStats(a.seqs);
  const dropped = a.status?.dropped_total ?? 0;
  const tail = a.lastAssigned === undefined || s.last === undefined ? 0 : Math.max(0, a.lastAssigned - s.last);
  const problems = [];
  if (s.stored === 0) problems.push('no report stored');
  if (s.duplicates > 0) problems.push(`${s.duplicates} reports stored twice`);
  if (tail > 0) problems.push(`the last ${tail} reports it buffered (up to seq ${a.lastAssigned}) are not stored`);
  if (s.gaps > dropped)
    problems.push(
      `${s.gaps} sequence numbers missing but only ${dropped} counted as dropped (first holes: ${s.holes
        .map(([x, y]) => (x === y ? x : `${x}–${y}`))
        .join(', ')})`,
    );
  if ((a.status?.buffer_depth ?? 0) > 0) problems.push(`${a.status.buffer_depth} reports still buffered at the end`);
  if (a.collectorDropped !== undefined && a.collectorDropped !== dropped)
    problems.push(`collector shows dropped ${a.collectorDropped}, agent ${dropped}`);
  return { host: a.host, ...s, tail, dropped, problems };
}

/** Received items (mails or webhooks) per idempotency key. */
function byKey(items) {
  const map = new Map();
  for (const item of items) map.set(item.key, [...(map.get(item.key) ?? []), item]);
  return map;
}

/** For one channel: alert id → the received items whose notification lists it, by state. */
function toldIndex(received, outboxByKey) {
  const index = new Map();
  for (const [key, items] of received) {
    const record = outboxByKey.get(key);
    if (!record) continue;
    for (const alert of record.alerts) {
      const entry = index.get(alert.id) ?? { firing: [], resolved: [] };
      (alert.state === 'resolved' ? entry.resolved : entry.firing).push({ item: items[0], record });
      index.set(alert.id, entry);
    }
  }
  return index;
}

/**
 * alerts: `alerts --all --json`; outbox: rows { idempotency_key, channel, kind, status, alerts };
 * mails / hooks: what the receivers got, each with its idempotency key.
 */
export function verifyAlerts({ alerts, outbox, mails, hooks, groupWaitMs = 0, slackMs = 1500 }) {
  const outboxByKey = new Map(outbox.map((r) => [r.idempotency_key, r]));
  const mailIndex = toldIndex(byKey(mails), outboxByKey);
  const hookIndex = toldIndex(byKey(hooks), outboxByKey);
  const fired = alerts.filter((a) => a.started_at !== null);
  const result = {
    fired: fired.length,
    resolved: 0,
    toldResolvedOnly: 0,
    unseen: [],
    quiet: [],
    problems: [],
    stillOpen: [],
  };
  // CPU and memory alerts depend on the machine; only process alerts must be over at the end.
  for (const alert of fired) {
    const label = `${alert.host} ${alert.rule}:${alert.target} (${alert.id}, fired ${alert.started_at})`;
    if (alert.state === 'resolved') result.resolved++;
    else if (alert.rule === 'process') result.stillOpen.push(label);
    // Fired and resolved, nobody told. By design only when it resolved within group_wait (plus a
    // routing tick and the ingest of the resolving report: slackMs); anything longer was owed a page.
    if (alert.state === 'resolved' && alert.notified_state === null) {
      const firedMs = Date.parse(alert.resolved_at) - Date.parse(alert.started_at);
      (firedMs < groupWaitMs + slackMs ? result.quiet : result.unseen).push({ label, alert, firedMs });
      continue;
    }
    const mail = mailIndex.get(alert.id);
    const hook = hookIndex.get(alert.id);
    const names = (m) => m.item.text.includes(alert.host) && m.item.text.includes(alert.target);
    // Resolved before routing could tell it firing (a replayed backlog, a restart in group_wait):
    // one resolved notice, which says when it started and how long it lasted, tells the whole of it.
    const toldOnlyResolved = alert.state === 'resolved' && !mail?.firing.length && !hook?.firing.length;
    if (toldOnlyResolved) {
      result.toldResolvedOnly++;
      if (mail?.resolved.length && !mail.resolved.some((m) => m.item.text.includes('Lasted')))
        result.problems.push(`the resolved email for ${label}, its only notice, does not say how long it lasted`);
    } else {
      if (!mail?.firing.length) result.problems.push(`no firing email for ${label}`);
      else if (!mail.firing.some(names))
        result.problems.push(`the firing email for ${label} does not name host and target`);
      if (!hook?.firing.length) result.problems.push(`no firing webhook for ${label}`);
    }
    if (alert.state === 'resolved') {
      if (!mail?.resolved.length) result.problems.push(`no resolved email for ${label}`);
      else if (!mail.resolved.some(names))
        result.problems.push(`the resolved email for ${label} does not name host and target`);
      if (!hook?.resolved.length) result.problems.push(`no resolved webhook for ${label}`);
    }
  }
  // Grouped notifications: how many received ones listed more than one alert.
  result.grouped = [...byKey(mails).keys()].filter((k) => (outboxByKey.get(k)?.alerts.length ?? 0) > 1).length;
  return result;
}

/** Nothing queued, sending or failed; every delivered row received; repeats counted per key. */
export function verifyOutbox({ notifyStatus, outbox, mails, hooks, emailChannel, hookChannel }) {
  const problems = [];
  for (const ch of notifyStatus) {
    if (ch.queued || ch.sending || ch.failed)
      problems.push(`channel ${ch.channel}: ${ch.queued} queued, ${ch.sending} sending, ${ch.failed} failed`);
  }
  const undelivered = outbox.filter((r) => r.status !== 'delivered');
  if (undelivered.length)
    problems.push(
      `${undelivered.length} outbox rows not delivered (${undelivered
        .slice(0, 3)
        .map((r) => `${r.channel} ${r.kind} ${r.status}`)
        .join(', ')})`,
    );
  const leased = undelivered.filter((r) => r.claimed_until !== null && r.claimed_until !== undefined);
  if (leased.length) problems.push(`${leased.length} outbox rows still hold a sender's lease`);
  const mailKeys = byKey(mails);
  const hookKeys = byKey(hooks);
  const lost = { email: 0, webhook: 0 };
  for (const row of outbox) {
    if (row.status !== 'delivered') continue;
    if (row.channel === emailChannel && !mailKeys.has(row.idempotency_key)) lost.email++;
    if (row.channel === hookChannel && !hookKeys.has(row.idempotency_key)) lost.webhook++;
  }
  if (lost.email) problems.push(`${lost.email} emails marked delivered were never received`);
  if (lost.webhook) problems.push(`${lost.webhook} webhooks marked delivered were never received`);
  const known = new Set(outbox.map((r) => r.idempotency_key));
  const unknown = [...mails, ...hooks].filter((x) => !known.has(x.key)).length;
  if (unknown) problems.push(`${unknown} notifications received that are not in the outbox`);
  const repeats = (m) => [...m.values()].reduce((n, list) => n + list.length - 1, 0);
  const kinds = {};
  for (const row of outbox) kinds[row.kind] = (kinds[row.kind] ?? 0) + 1;
  return {
    problems,
    repeats: { email: repeats(mailKeys), webhook: repeats(hookKeys) },
    distinct: { email: mailKeys.size, webhook: hookKeys.size },
    kinds,
  };
}

/** The agent's pino log (one JSON object a line) → the events the soak accounts with. */
export function parseAgentLog(text) {
  const events = [];
  for (const line of text.split('\n')) {
    if (!line.startsWith('{')) continue;
    let e;
    try {
      e = JSON.parse(line);
    } catch {
      continue;
    }
    if (e.event === 'started' || e.event === 'buffer_write_failed' || e.event === 'stopping')
      events.push({ time: e.time, event: e.event, bootId: e.boot_id, queued: e.queued });
  }
  return events.sort((a, b) => a.time - b.time);
}

/**
 * What each run of the agent lost in memory, by its own account. While the state disk refuses
 * writes, the agent keeps results in memory and logs `buffer_write_failed` with how many wait
 * (`queued`); the first good write takes them all. So a run whose last logged failure comes after
 * the last result it stored died with `queued` results unwritten. lives: [{ start, end, signal }]
 * (the soak's record of each process); events: parseAgentLog; rows: the collector's export.
 * → [{ ...life, bootId, lost, failingSince }]
 */
export function memoryLosses({ lives, events, rows }) {
  return lives.map((life) => {
    const end = life.end ?? Number.POSITIVE_INFINITY;
    const mine = events.filter((e) => e.time >= life.start && e.time <= end);
    const bootId = mine.find((e) => e.event === 'started')?.bootId ?? null;
    const stored = bootId === null ? [] : rows.filter((r) => r.boot_id === bootId).map((r) => r.ts);
    const lastStored = stored.length ? Math.max(...stored) : Number.NEGATIVE_INFINITY;
    const failing = mine.filter((e) => e.event === 'buffer_write_failed' && e.time > lastStored);
    const last = failing.at(-1);
    return {
      ...life,
      bootId,
      lost: last ? last.queued : 0,
      failingSince: failing[0]?.time ?? null,
    };
  });
}

/**
 * Results an agent never stored although it was running: holes longer than holeMs in a check's
 * series within one run of the agent (after graceMs for its start). Such a loss has no sequence
 * number, so no gap shows it; only time does. Explained only by the agent's own account: the run
 * was SIGKILLed while its log said results were waiting in memory (memoryLosses: lost > 0), and
 * the hole runs from when its writes began failing to its end. SPEC allows no better there.
 * lives: memoryLosses(...) (or plain { start, end, signal }, which explains nothing).
 */
export function verifyCoverage({ rows, lives, holeMs = 5000, graceMs = 5000 }) {
  const byCheck = new Map();
  for (const r of rows) byCheck.set(r.check, [...(byCheck.get(r.check) ?? []), r.ts]);
  for (const list of byCheck.values()) list.sort((a, b) => a - b);
  const holes = [];
  for (const life of lives) {
    const from = life.start + graceMs;
    const to = life.end - 1000;
    if (to - from <= holeMs) continue;
    const killedWhileFull = (hole) =>
      life.signal === 'SIGKILL' &&
      (life.lost ?? 0) > 0 &&
      life.failingSince !== null &&
      hole.from >= life.failingSince - holeMs &&
      hole.to >= to;
    for (const [check, list] of byCheck) {
      let prev = from;
      for (const t of [...list.filter((x) => x > from && x < to), to]) {
        if (t - prev > holeMs) {
          const hole = { check, from: prev, to: t };
          holes.push({ ...hole, explained: killedWhileFull(hole) });
        }
        prev = t;
      }
    }
  }
  const secondsOf = (list) => {
    const per = new Map();
    for (const h of list) per.set(h.check, (per.get(h.check) ?? 0) + (h.to - h.from) / 1000);
    return Math.max(0, ...per.values());
  };
  const unexplained = holes.filter((h) => !h.explained);
  const killed = lives.filter((l) => l.signal === 'SIGKILL');
  const stoppedClean = lives.filter((l) => l.signal !== 'SIGKILL' && (l.lost ?? 0) > 0);
  return {
    lostSeconds: secondsOf(unexplained),
    explainedSeconds: secondsOf(holes.filter((h) => h.explained)),
    lostInMemory: killed.reduce((n, l) => n + (l.lost ?? 0), 0),
    lostAtCleanStop: stoppedClean.reduce((n, l) => n + l.lost, 0),
    unexplained,
  };
}

/**
 * The rule against the stored data, through every fault: each run of `consecutive` or more failed
 * process checks (UNKNOWN neither counts nor breaks a run) has a process alert that started within
 * it, and each fired process alert started within such a run (no alert from nowhere).
 * rowsByHost: host → exported rows; alerts: `alerts --all --json`.
 */
export function verifyDetection({ rowsByHost, alerts, consecutive = 3 }) {
  const missed = [];
  const unfounded = [];
  let runs = 0;
  for (const [host, rows] of rowsByHost) {
    const checks = rows.filter((r) => r.kind === 'process').sort((a, b) => a.ts - b.ts);
    const found = [];
    let current = [];
    const close = () => {
      if (current.length >= consecutive)
        found.push({ from: current[0].ts, nth: current[consecutive - 1].ts, to: current.at(-1).ts, n: current.length });
      current = [];
    };
    for (const r of checks) {
      if (r.status === 'UNKNOWN') continue;
      if (r.status === 'CRITICAL') current.push(r);
      else close();
    }
    close();
    runs += found.length;
    const fired = alerts
      .filter((a) => a.host === host && a.rule === 'process' && a.started_at !== null)
      .map((a) => ({ ...a, startedMs: Date.parse(a.started_at), resolvedMs: Date.parse(a.resolved_at ?? '') }));
    const within = (t, run) => t >= run.from && t <= run.to;
    // An alert still firing from an earlier run covers this one (one good check does not resolve it).
    const covers = (a, run) => a.startedMs <= run.nth && !(a.resolvedMs < run.nth);
    for (const run of found)
      if (!fired.some((a) => covers(a, run)))
        missed.push(`${host}: ${run.n} failed process checks in a row from ${new Date(run.from).toISOString()}`);
    for (const a of fired)
      if (!found.some((run) => within(a.startedMs, run)))
        unfounded.push(`${host}: alert ${a.id} fired at ${a.started_at} without ${consecutive} failed checks stored`);
  }
  return { runs, missed, unfounded };
}
