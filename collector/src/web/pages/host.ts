// The host page: every current check result with its status in words, charts of each disk, CPU
// and memory over a chosen range (the disk forecast dashed, "full in about N days"), and the
// host's open and past alerts with acknowledge and silence.
import { alertItem, formOpen } from '../alert-view.js';
import { TimeChart } from '../chart.js';
import { h, replace } from '../dom.js';
import { ago, bytes, when } from '../format.js';
import { AGENT_WORDS, LEVEL_WORDS, levelBadge, statusBadge } from '../level.js';
import type { Page, PageView } from '../page.js';
import { hashOf } from '../route.js';
import type { HostPage, Result, Series } from '../types.js';

/** The ranges offered; the API reads raw reports up to 48 h and hourly rollups beyond. */
export const RANGES = [
  ['6h', '6 h'],
  ['24h', '24 h'],
  ['7d', '7 d'],
  ['30d', '30 d'],
] as const;
const DEFAULT_RANGE = '24h';

interface ChartSpec {
  key: string;
  title: string;
  check: string;
  target: string;
  metric: string;
  color: string;
  yMax?: number;
  /** The y axis' numbers. */
  format: (v: number) => string;
  /** The figure beside the title, from the latest result. */
  now: (r: Result) => string;
}

const num = (r: Result, key: string): number | null => {
  const v = r.values[key]?.value;
  return typeof v === 'number' ? v : null;
};
const pct = (v: number) => `${Math.round(v * 10) / 10} %`;
const axisPercent = (v: number) => `${Math.round(v)} %`;

/** CPU, memory, then one chart per disk, from the results the host has. */
function chartSpecs(results: Result[]): ChartSpec[] {
  const specs: ChartSpec[] = [];
  const find = (check: string) => results.find((r) => r.kind === check && 'used_percent' in r.values);
  const cpu = find('cpu');
  if (cpu) {
    specs.push({
      key: `cpu`,
      title: 'CPU used',
      check: cpu.check,
      target: cpu.target,
      metric: 'used_percent',
      color: '#2f6fde',
      yMax: 100,
      format: axisPercent,
      now: (r) => pct(num(r, 'used_percent') ?? 0),
    });
  }
  const memory = results.find((r) => r.kind === 'memory' && 'available_percent' in r.values);
  if (memory) {
    specs.push({
      key: 'memory',
      title: 'Memory available',
      check: memory.check,
      target: memory.target,
      metric: 'available_percent',
      color: '#7b4fd6',
      yMax: 100,
      format: axisPercent,
      now: (r) => {
        const total = num(r, 'total_bytes');
        const avail = num(r, 'available_bytes');
        return `${pct(num(r, 'available_percent') ?? 0)}${total && avail !== null ? ` · ${bytes(avail)} of ${bytes(total)}` : ''}`;
      },
    });
  }
  // Free bytes, not percent: a slow fill shows as a slope, not as steps of the percent's rounding.
  for (const disk of results.filter((r) => r.kind === 'disk' && 'free_bytes' in r.values)) {
    specs.push({
      key: `disk:${disk.check}:${disk.target}`,
      title: `Disk ${disk.target} free`,
      check: disk.check,
      target: disk.target,
      metric: 'free_bytes',
      color: '#14866d',
      format: bytes,
      now: (r) => {
        const free = num(r, 'free_bytes');
        // "of" is the usable size (used + free), as df and the agent's own message say: size_bytes
        // also holds root's reserve and filesystem overhead, so it read "of 271 GB" where the agent said 109.
        const used = num(r, 'used_bytes');
        const size = used !== null && free !== null ? used + free : num(r, 'size_bytes');
        const percent = num(r, 'free_percent') ?? (free !== null && size ? (free / size) * 100 : null);
        return [
          percent === null ? null : pct(percent),
          free !== null && size ? `${bytes(free)} of ${bytes(size)}` : null,
        ]
          .filter((p) => p !== null)
          .join(' · ');
      },
    });
  }
  return specs;
}

function resultsTable(results: Result[], now: number): HTMLElement {
  return h(
    'div.table-wrap',
    {},
    h(
      'table.table.results',
      {},
      h(
        'thead',
        {},
        h('tr', {}, h('th', {}, 'Status'), h('th', {}, 'Check'), h('th', {}, 'Result'), h('th', {}, 'Measured')),
      ),
      h(
        'tbody',
        {},
        results.map((r) =>
          h(
            'tr',
            { 'data-check': r.check, 'data-target': r.target, 'data-status': r.status },
            h('td', {}, statusBadge(r.status)),
            h('td.check-name', {}, r.check, r.target ? h('span.muted', {}, ` ${r.target}`) : null),
            h('td.check-message', {}, r.message),
            h('td.muted.nowrap', { title: when(r.ts) }, ago(r.ts, now)),
          ),
        ),
      ),
    ),
  );
}

function factsLine(page: HostPage, now: number): HTMLElement {
  const { host } = page;
  const f = host.facts;
  const parts = [
    `${AGENT_WORDS[host.status]} · last seen ${ago(host.last_seen, now)}`,
    f.os_release ?? f.platform,
    f.agent_version ? `agent ${f.agent_version}` : null,
    `enrolled ${when(host.enrolled_at)}`,
  ].filter((p): p is string => !!p);
  return h(
    'p.host-facts.muted',
    {},
    parts.map((p, i) => [i > 0 ? h('span.sep', { 'aria-hidden': 'true' }, ' · ') : null, h('span', {}, p)]),
  );
}

class ChartCard {
  readonly el: HTMLElement;
  private readonly figure = h('span.chart-now');
  private readonly note = h('p.chart-note');
  private readonly plot = h('div.chart-plot');
  private readonly chart: TimeChart;

  constructor(readonly spec: ChartSpec) {
    this.chart = new TimeChart(this.plot, { color: spec.color, format: spec.format, yMax: spec.yMax });
    this.el = h(
      'section.card.chart-card',
      { 'data-chart': spec.key },
      h('div.chart-head', {}, h('h3', {}, spec.title), this.figure),
      this.plot,
      this.note,
    );
  }

  update(result: Result | undefined, series: Series): void {
    if (result) replace(this.figure, this.spec.now(result));
    this.chart.draw(series, series.forecast);
    const f = series.forecast;
    if (f) {
      const soon = f.full_at - f.at < 3 * 86_400_000;
      this.note.className = `chart-note forecast ${soon ? 'forecast-soon' : ''}`;
      replace(
        this.note,
        h('span.forecast-key', { 'aria-hidden': 'true' }),
        `Full in ${f.full_in} (${when(f.full_at)}) at the current rate`,
        f.source === 'alert' ? ' — as the forecast alert says' : '',
      );
    } else if (series.points.length === 0) {
      this.note.className = 'chart-note muted';
      replace(this.note, 'No data in this range.');
    } else {
      this.note.className = 'chart-note muted';
      replace(this.note, series.resolution === 'hour' ? 'Hourly averages' : 'Every sample');
    }
  }

  destroy(): void {
    this.chart.destroy();
  }
}

async function render(view: PageView): Promise<void> {
  const agentId = view.params[0];
  if (!agentId) {
    view.go('#/fleet');
    return;
  }
  const base = `/api/v1/hosts/${encodeURIComponent(agentId)}`;
  let range = view.query.get('range') ?? DEFAULT_RANGE;
  if (!RANGES.some(([r]) => r === range)) range = DEFAULT_RANGE;
  const canAct = view.user.role !== 'viewer';

  const crumbs = h('nav.crumbs', { 'aria-label': 'Where' });
  const title = h('h1');
  const badge = h('span');
  const facts = h('div');
  const openBox = h('div.alert-list.open-alerts');
  const resultsBox = h('div');
  const chartsBox = h('div.charts');
  const pastBox = h('div.alert-list.past-alerts');
  const rangeButtons = RANGES.map(([value, label]) =>
    h(
      'button.seg',
      {
        type: 'button',
        'data-range': value,
        'aria-pressed': String(value === range),
        onclick: () => {
          if (value === range) return;
          range = value;
          history.replaceState(null, '', hashOf('host', [agentId], range === DEFAULT_RANGE ? undefined : { range }));
          for (const b of rangeButtons) b.setAttribute('aria-pressed', String(b.dataset.range === range));
          loadCharts().catch((error) => view.notify(String(error instanceof Error ? error.message : error), 'error'));
        },
      },
      label,
    ),
  );
  replace(
    view.root,
    crumbs,
    h('div.page-head.host-head', {}, h('div', {}, h('div.title-line', {}, title, badge), facts)),
    h('section.block', {}, h('h2', {}, 'Open alerts'), openBox),
    h(
      'section.block',
      {},
      h(
        'div.block-head',
        {},
        h('h2', {}, 'Charts'),
        h('div.segmented', { role: 'group', 'aria-label': 'Time range' }, rangeButtons),
      ),
      chartsBox,
    ),
    h('section.block', {}, h('h2', {}, 'Checks'), resultsBox),
    h('section.block', {}, h('h2', {}, 'Past alerts'), pastBox),
  );

  let page: HostPage | null = null;
  const cards = new Map<string, ChartCard>();
  view.signal.addEventListener('abort', () => {
    for (const card of cards.values()) card.destroy();
  });

  const loadCharts = async () => {
    if (!page) return;
    const specs = chartSpecs(page.results);
    for (const [key, card] of cards) {
      if (!specs.some((s) => s.key === key)) {
        card.destroy();
        card.el.remove();
        cards.delete(key);
      }
    }
    const answers = await Promise.all(
      specs.map((spec) => {
        const q = new URLSearchParams({ check: spec.check, target: spec.target, metric: spec.metric, range });
        return view.api.get<Series>(`${base}/series?${q}`, view.signal);
      }),
    );
    specs.forEach((spec, i) => {
      let card = cards.get(spec.key);
      if (!card) {
        card = new ChartCard(spec);
        cards.set(spec.key, card);
      }
      chartsBox.append(card.el); // keeps the order of specs
      const latest = page?.results.find((r) => r.check === spec.check && r.target === spec.target);
      card.update(latest, answers[i] as Series);
    });
    if (specs.length === 0) replace(chartsBox, h('p.muted', {}, 'This host reports no CPU, memory or disk values.'));
  };

  const reload = () =>
    load().catch((error) => view.notify(String(error instanceof Error ? error.message : error), 'error'));
  const load = async () => {
    const answer = await view.api.get<HostPage>(base, view.signal);
    page = answer;
    const { host } = answer;
    const now = Date.parse(answer.now);
    view.setTitle(host.hostname);
    replace(
      crumbs,
      h('a', { href: '#/fleet' }, 'Fleet'),
      ' › ',
      h('a', { href: hashOf('fleet', [], { q: host.client }) }, host.client),
      ' › ',
      h('span', {}, host.site),
    );
    replace(title, host.hostname);
    replace(badge, levelBadge(host.level, LEVEL_WORDS[host.level]));
    replace(facts, factsLine(answer, now));
    const options = {
      now,
      api: view.api,
      canAct,
      showHost: false,
      changed: (message: string) => {
        view.notify(message);
        void reload();
      },
    };
    if (!formOpen(openBox)) {
      replace(
        openBox,
        answer.alerts.open.length > 0
          ? answer.alerts.open.map((a) => alertItem(a, options))
          : h('p.muted.none', {}, 'No open alerts.'),
      );
    }
    // The API lists results worst first.
    replace(
      resultsBox,
      answer.results.length > 0 ? resultsTable(answer.results, now) : h('p.muted', {}, 'No results yet.'),
    );
    replace(
      pastBox,
      answer.alerts.resolved.length > 0
        ? answer.alerts.resolved.map((a) => alertItem(a, options))
        : h('p.muted.none', {}, 'No past alerts.'),
    );
    await loadCharts();
  };
  await view.poll(load);
}

export const hostPage: Page = { route: 'host', render };
