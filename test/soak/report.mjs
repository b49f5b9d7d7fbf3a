// The soak's printout: one summary table of counts, one row per agent, the faults by kind, and
// what failed (or the JSON of it all with --json).

const LABELS = {
  agent_kill: 'agent SIGKILL + restart',
  collector_outage: 'collector SIGKILL, outage',
  disk_full: 'agent state disk full, link cut',
  smtp_outage: 'SMTP server down',
  process_kill: 'watched process killed',
  response_loss: 'collector responses lost (agent resends)',
};

const seconds = (ms) => `${(ms / 1000).toFixed(1)} s`;

function holds(list) {
  if (list.length === 0) return '';
  const h = list.map((f) => f.hold);
  return ` (${seconds(Math.min(...h))}–${seconds(Math.max(...h))})`;
}

export function report(r) {
  if (r.json) {
    const faults = Object.fromEntries(Object.entries(r.faults).map(([k, v]) => [k, v.length]));
    return `${JSON.stringify({ ...r, faults, json: undefined, ok: r.failures.length === 0 }, null, 2)}\n`;
  }
  const total = (f) => r.agents.reduce((n, a) => n + a[f], 0);
  const lines = [];
  lines.push(`### Soak: seed ${r.seed}, ${r.durationS} s of faults, ${r.agents.length} agents`, '');
  lines.push('| figure | value |', '|---|---|');
  lines.push(`| reports stored | ${total('stored').toLocaleString('en-US')} |`);
  lines.push(`| duplicates | ${total('duplicates')} |`);
  lines.push(`| collector responses lost on the way (batches the agents had to resend) | ${r.responsesLost} |`);
  lines.push(`| gaps (sequence numbers missing) | ${total('gaps')} |`);
  lines.push(`| dropped (counted by the agents) | ${total('dropped')} |`);
  lines.push(`| not stored at the tail | ${total('tail')} |`);
  lines.push(`| buffer writes refused by the full disk (agents' logs) | ${total('refusedWrites')} |`);
  lines.push(`| time with results lost uncounted while an agent ran | ${total('lostSeconds').toFixed(0)} s |`);
  lines.push(
    `| results lost in memory: agent SIGKILLed while its disk was full (its own log) | ${total('lostInMemory')} (${total('explainedSeconds').toFixed(0)} s of one check) |`,
  );
  lines.push(
    `| runs of 3+ failed process checks stored / without an alert | ${r.detection.runs} / ${r.detection.missed.length} |`,
  );
  lines.push(`| alerts fired / resolved | ${r.alerts.fired} / ${r.alerts.resolved} |`);
  lines.push(`| alerts fired and resolved within group_wait, not told (by design) | ${r.alerts.quiet.length} |`);
  lines.push(
    `| alerts resolved before they could be told firing, told by one resolved notice | ${r.alerts.toldResolvedOnly} |`,
  );
  lines.push(`| alerts fired longer than group_wait, resolved, never told | ${r.alerts.unseen.length} |`);
  lines.push(
    `| emails received (distinct) | ${r.mails} (${r.outbox.distinct.email}); ${r.alerts.grouped} listed several alerts |`,
  );
  lines.push(`| webhooks received (distinct) | ${r.hooks} (${r.outbox.distinct.webhook}) |`);
  lines.push(`| repeats by idempotency key | email ${r.outbox.repeats.email}, webhook ${r.outbox.repeats.webhook} |`);
  lines.push(
    `| outbox rows by kind | ${Object.entries(r.outbox.kinds)
      .map(([k, n]) => `${k} ${n}`)
      .join(', ')} |`,
  );
  lines.push(`| drain after the last fault | ${seconds(r.drainMs)} |`);
  for (const [kind, list] of Object.entries(r.faults))
    lines.push(`| faults: ${LABELS[kind] ?? kind} | ${list.length}${holds(list)} |`);
  lines.push(`| wall time | ${r.totalS.toFixed(0)} s |`, '');
  lines.push(
    '| host | stored | runs | duplicates | gaps | dropped | lost in memory (logged) | tail missing | lost uncounted | verdict |',
  );
  lines.push('|---|---|---|---|---|---|---|---|---|---|');
  for (const a of r.agents)
    lines.push(
      `| ${a.host} | ${a.stored} | ${a.boots} | ${a.duplicates} | ${a.gaps} | ${a.dropped} | ${a.lostInMemory} | ${a.tail} | ${a.lostSeconds.toFixed(0)} s | ${
        a.problems.length === 0 ? 'ok' : 'FAILED'
      } |`,
    );
  lines.push('');
  if (r.failures.length === 0) lines.push('All checks passed.');
  else lines.push(`FAILED (${r.failures.length}):`, ...r.failures.map((f) => `- ${f}`));
  return `${lines.join('\n')}\n`;
}
