// The fleet overview: clients → sites → hosts, worst first (the API sorts), with a search box,
// level and status filters and counts. Filters live in the hash (#/fleet?q=emr&status=critical)
// so a view can be shared; typing updates it without re-rendering the page.
import { h, replace } from '../dom.js';
import { ago } from '../format.js';
import { AGENT_WORDS, dot, LEVEL_WORDS, levelBadge } from '../level.js';
import type { Page, PageView } from '../page.js';
import { hashOf } from '../route.js';
import type { Counts, Fleet, FleetClient, FleetHost, FleetSite, Level } from '../types.js';

const FILTERS: { key: string; label: string }[] = [
  { key: 'critical', label: 'Critical' },
  { key: 'warning', label: 'Warning' },
  { key: 'unknown', label: 'Unknown' },
  { key: 'ok', label: 'OK' },
  { key: 'silent', label: 'Silent' },
  { key: 'offline', label: 'Stopped' },
];
const LEVELS: Level[] = ['critical', 'warning', 'unknown', 'ok'];

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** "6 hosts · 1 critical · 2 warning": only the levels that have hosts, worst first. */
function countLine(counts: Counts): string {
  const parts = [plural(counts.hosts, 'host')];
  for (const level of LEVELS) if (level !== 'ok' && counts[level] > 0) parts.push(`${counts[level]} ${level}`);
  if (counts.open_alerts > 0) parts.push(plural(counts.open_alerts, 'open alert'));
  return parts.join(' · ');
}

function hostRow(host: FleetHost, now: number): HTMLElement {
  const seen = host.status === 'online' ? `seen ${ago(host.last_seen, now)}` : AGENT_WORDS[host.status];
  return h(
    `a.host-row.level-edge-${host.level}`,
    { href: hashOf('host', [host.agent_id]), 'data-host': host.hostname, 'data-level': host.level },
    levelBadge(host.level),
    h(
      'span.host-main',
      {},
      h('span.host-name', {}, host.hostname),
      host.pending_alerts > 0 ? h('span.badge.pending', {}, `${host.pending_alerts} pending`) : null,
      h('span.host-why', {}, host.summary ?? (host.level === 'ok' ? 'All checks OK' : '')),
    ),
    h(
      `span.host-seen${host.status === 'online' ? '' : '.stale'}`,
      { title: host.last_seen ?? 'never' },
      host.status === 'online' ? seen : `${seen} · last seen ${ago(host.last_seen, now)}`,
    ),
  );
}

function siteBlock(site: FleetSite, now: number): HTMLElement {
  return h(
    'section.site',
    { 'data-site': site.name },
    h(
      'div.site-head',
      {},
      dot(site.level),
      h('h3', {}, site.name),
      h('span.muted.count-line', {}, countLine(site.counts)),
    ),
    site.site_alerts.map((a) => h(`div.site-alert.level-${a.severity}`, {}, a.summary)),
    site.hosts.length > 0
      ? h(
          'div.host-list',
          {},
          site.hosts.map((host) => hostRow(host, now)),
        )
      : h('p.muted.no-hosts', {}, 'No agent has enrolled at this site yet.'),
  );
}

function clientCard(client: FleetClient, now: number): HTMLElement {
  return h(
    `section.card.client.level-top-${client.level}`,
    { 'data-client': client.name },
    h(
      'div.client-head',
      {},
      h('h2', {}, client.name),
      // A practice nobody has enrolled yet is not "OK": nothing is watching it.
      client.counts.hosts === 0 ? h('span.badge.no-hosts', {}, 'no hosts yet') : levelBadge(client.level),
      h('span.muted.count-line', {}, countLine(client.counts)),
    ),
    client.sites.map((site) => siteBlock(site, now)),
  );
}

function tiles(fleet: Fleet, selected: Set<string>, toggle: (key: string) => void): HTMLElement {
  const c = fleet.counts;
  return h(
    'div.tiles',
    {},
    LEVELS.map((level) =>
      h(
        `button.tile.level-${level}`,
        { type: 'button', 'aria-pressed': String(selected.has(level)), onclick: () => toggle(level) },
        h('span.tile-count', {}, String(c[level])),
        h('span.tile-label', {}, LEVEL_WORDS[level]),
      ),
    ),
    h(
      'a.tile.tile-alerts',
      { href: '#/alerts' },
      h('span.tile-count', {}, String(c.open_alerts)),
      h('span.tile-label', {}, c.open_alerts === 1 ? 'Open alert' : 'Open alerts'),
    ),
  );
}

async function render(view: PageView): Promise<void> {
  view.setTitle('Fleet');
  let q = view.query.get('q') ?? '';
  const selected = new Set((view.query.get('status') ?? '').split(',').filter((s) => s !== ''));

  const subtitle = h('p.muted.page-sub');
  const tileBox = h('div');
  const list = h('div.fleet-list', { 'aria-live': 'polite' });
  const search = h('input.search', {
    type: 'search',
    placeholder: 'Search host, site or practice',
    'aria-label': 'Search host, site or practice',
    value: q,
  });
  const chips = FILTERS.map((f) =>
    h(
      'button.chip',
      {
        type: 'button',
        'data-filter': f.key,
        'aria-pressed': String(selected.has(f.key)),
        onclick: () => toggle(f.key),
      },
      f.label,
    ),
  );
  replace(
    view.root,
    h('div.page-head', {}, h('div', {}, h('h1', {}, 'Fleet'), subtitle)),
    tileBox,
    h('div.toolbar', {}, search, h('div.chips', { role: 'group', 'aria-label': 'Show only' }, chips)),
    list,
  );

  let fleet: Fleet | null = null;
  let generation = 0;
  const load = async () => {
    const params = new URLSearchParams();
    if (q.trim() !== '') params.set('q', q.trim());
    if (selected.size > 0) params.set('status', [...selected].join(','));
    const mine = ++generation;
    const answer = await view.api.get<Fleet>(`/api/v1/fleet${params.size ? `?${params}` : ''}`, view.signal);
    if (mine !== generation) return; // a newer search answered first
    fleet = answer;
    draw();
  };
  const draw = () => {
    if (!fleet) return;
    const now = Date.parse(fleet.now);
    const c = fleet.counts;
    replace(subtitle, `${plural(c.hosts, 'host')} at ${plural(c.sites, 'site')} of ${plural(c.clients, 'practice')}`);
    replace(tileBox, tiles(fleet, selected, toggle));
    for (const chip of chips) chip.setAttribute('aria-pressed', String(selected.has(chip.dataset.filter ?? '')));
    replace(
      list,
      fleet.clients.length > 0
        ? fleet.clients.map((client) => clientCard(client, now))
        : h('p.empty', {}, q || selected.size ? 'No host matches the search and filters.' : 'No hosts yet.'),
    );
  };
  const remember = () => {
    const query: Record<string, string> = {};
    if (q.trim() !== '') query.q = q.trim();
    if (selected.size > 0) query.status = [...selected].join(',');
    // replaceState fires no hashchange: the page stays, the address remembers the view.
    history.replaceState(null, '', hashOf('fleet', [], query));
  };
  const refilter = () => {
    remember();
    load().catch((error) => view.notify(error instanceof Error ? error.message : String(error), 'error'));
  };
  function toggle(key: string) {
    if (selected.has(key)) selected.delete(key);
    else selected.add(key);
    refilter();
  }
  let typing: number | undefined;
  search.addEventListener('input', () => {
    window.clearTimeout(typing);
    typing = window.setTimeout(() => {
      q = search.value;
      refilter();
    }, 200);
  });

  await view.poll(load);
}

export const fleetPage: Page = { route: 'fleet', nav: 'Fleet', render };
