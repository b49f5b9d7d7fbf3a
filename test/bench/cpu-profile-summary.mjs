#!/usr/bin/env node
// Summarises a V8 .cpuprofile (e.g. from `node test/bench/ingest.mjs --cpu-prof DIR`): sampled
// time by module (package or source file) and by function (self time: native calls such as
// better-sqlite3 statements count toward the JS function that made them), and optionally the
// call tree under one function, merged by callee (inclusive time).
//
//   node test/bench/cpu-profile-summary.mjs DIR|FILE [--top 40] [--tree flush] [--depth 4] [--min-ms 10]
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const { values: opts, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    top: { type: 'string', default: '40' },
    tree: { type: 'string' },
    depth: { type: 'string', default: '4' },
    'min-ms': { type: 'string', default: '10' },
  },
});
let file = positionals[0];
if (!file) throw new Error('usage: cpu-profile-summary.mjs DIR|FILE [--top N] [--tree FUNCTION]');
if (statSync(file).isDirectory()) {
  const found = readdirSync(file).filter((f) => f.endsWith('.cpuprofile'));
  if (found.length === 0) throw new Error(`no .cpuprofile in ${file}`);
  // The main thread's profile is the largest (worker threads write their own).
  file = found.map((f) => join(file, f)).sort((a, b) => statSync(b).size - statSync(a).size)[0];
}
const profile = JSON.parse(readFileSync(file, 'utf8'));
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const self = new Map();
for (const [i, id] of profile.samples.entries()) self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
const total = [...self.values()].reduce((a, b) => a + b, 0);
const ms = (us) => `${(us / 1000).toFixed(0).padStart(7)} ms`;
const pct = (us) => `${((100 * us) / total).toFixed(1).padStart(5)} %`;

function moduleOf(url) {
  if (!url) return '(native, gc, idle)';
  const m = url.match(/node_modules\/(?:\.pnpm\/[^/]+\/node_modules\/)?((?:@[^/]+\/)?[^/]+)/);
  return m ? m[1] : url.replace(/^file:\/\//, '').replace(/^.*?\/(collector|agent|shared|test)\//, '$1/');
}
const nameOf = (id) => {
  const f = byId.get(id).callFrame;
  return `${f.functionName || '(anonymous)'} ${moduleOf(f.url)}:${f.lineNumber + 1}`;
};
function print(title, map, n) {
  console.log(`--- ${title}`);
  for (const [k, t] of [...map].sort((a, b) => b[1] - a[1]).slice(0, n)) console.log(`${ms(t)} ${pct(t)}  ${k}`);
}

console.log(`${file}: ${(total / 1e6).toFixed(1)} s sampled`);
const byModule = new Map();
const byFunction = new Map();
for (const [id, t] of self) {
  const url = byId.get(id).callFrame.url;
  byModule.set(moduleOf(url), (byModule.get(moduleOf(url)) ?? 0) + t);
  byFunction.set(nameOf(id), (byFunction.get(nameOf(id)) ?? 0) + t);
}
print('self time by module', byModule, 20);
print('self time by function', byFunction, Number(opts.top));

if (opts.tree) {
  const inclusive = new Map();
  const incl = (id) => {
    if (!inclusive.has(id)) {
      let t = self.get(id) ?? 0;
      for (const c of byId.get(id).children ?? []) t += incl(c);
      inclusive.set(id, t);
    }
    return inclusive.get(id);
  };
  const minUs = Number(opts['min-ms']) * 1000;
  const walk = (ids, depth, indent) => {
    const selfT = ids.reduce((a, id) => a + (self.get(id) ?? 0), 0);
    if (selfT >= minUs) console.log(`${indent}${ms(selfT)}  (self)`);
    if (depth === 0) return;
    const groups = new Map();
    for (const id of ids) {
      for (const c of byId.get(id).children ?? []) {
        const g = groups.get(nameOf(c)) ?? { t: 0, ids: [] };
        g.t += incl(c);
        g.ids.push(c);
        groups.set(nameOf(c), g);
      }
    }
    for (const [k, g] of [...groups].sort((a, b) => b[1].t - a[1].t)) {
      if (g.t < minUs) continue;
      console.log(`${indent}${ms(g.t)}  ${k}`);
      walk(g.ids, depth - 1, `${indent}  `);
    }
  };
  const matches = profile.nodes.filter((n) => n.callFrame.functionName === opts.tree).map((n) => n.id);
  const set = new Set(matches);
  const outermost = matches.filter((id) => {
    for (let p = parent.get(id); p !== undefined; p = parent.get(p)) if (set.has(p)) return false;
    return true;
  });
  const sum = outermost.reduce((a, id) => a + incl(id), 0);
  console.log(`--- call tree under ${opts.tree} (inclusive ${ms(sum).trim()}, ${pct(sum).trim()})`);
  walk(outermost, Number(opts.depth), '  ');
}
