// The alerts page: open alerts needing someone, acknowledged ones, silenced ones, the history of
// resolved ones, and the silences themselves (with "expire"). Acknowledge with a comment and
// silence for a duration with a reason, right on each alert.
import { alertItem, formOpen } from '../alert-view.js';
import { ApiError } from '../api.js';
import { h, replace } from '../dom.js';
import { ago, span, when } from '../format.js';
import type { Page, PageView } from '../page.js';
import { hashOf } from '../route.js';
import type { Alert, Silence } from '../types.js';

type Tab = 'open' | 'acknowledged' | 'silenced' | 'history' | 'silences';

const TABS: { key: Tab; label: string; empty: string }[] = [
  { key: 'open', label: 'Open', empty: 'No open alerts: all is well.' },
  { key: 'acknowledged', label: 'Acknowledged', empty: 'No acknowledged alerts are open.' },
  { key: 'silenced', label: 'Silenced', empty: 'No open alert is silenced.' },
  { key: 'history', label: 'History', empty: 'No resolved alerts yet.' },
  { key: 'silences', label: 'Silences', empty: 'No silence is in force or scheduled.' },
];

/** Every open alert (the API's most), and the newest resolved ones for the history. */
const OPEN_LIMIT = 1000;
const HISTORY_LIMIT = 200;

const SEVERITY = { critical: 0, warning: 1 } as const;

/** The tabs an alert is listed under: every open alert under Open, and also under Acknowledged / Silenced. */
function tabsOf(alert: Alert): Tab[] {
  if (alert.state === 'resolved') return ['history'];
  const tabs: Tab[] = ['open'];
  if (alert.ack) tabs.push('acknowledged');
  if (alert.silenced_by) tabs.push('silenced');
  return tabs;
}

function silenceItem(silence: Silence, now: number, canAct: boolean, expire: (s: Silence) => void): HTMLElement {
  const active = silence.status === 'active';
  const timing = active
    ? `ends ${when(silence.ends_at)} (in ${span(Date.parse(silence.ends_at) - now)})`
    : `${silence.status} · ${when(silence.starts_at)} → ${when(silence.ends_at)}`;
  return h(
    `article.alert.silence.level-edge-unknown`,
    { 'data-silence': silence.id },
    h(
      'div.alert-line',
      {},
      h(`span.badge.level-unknown`, {}, active ? 'Active' : silence.status),
      h(
        'div.alert-text',
        {},
        h('p.alert-summary', {}, silence.reason),
        h(
          'div.matchers',
          {},
          silence.matchers.map((m) => h('code.matcher', {}, m)),
        ),
      ),
      canAct && (active || silence.status === 'scheduled')
        ? h('div.alert-actions', {}, h('button', { type: 'button', onclick: () => expire(silence) }, 'Expire now'))
        : null,
    ),
    h('div.alert-meta', {}, h('span.muted', {}, `by ${silence.author} ${ago(silence.created_at, now)} · ${timing}`)),
  );
}

async function render(view: PageView): Promise<void> {
  view.setTitle('Alerts');
  const canAct = view.user.role !== 'viewer';
  let tab = (view.query.get('tab') as Tab | null) ?? 'open';
  if (!TABS.some((t) => t.key === tab)) tab = 'open';

  const tabButtons = TABS.map((t) =>
    h(
      'button.tab',
      {
        type: 'button',
        role: 'tab',
        'data-tab': t.key,
        'aria-selected': String(t.key === tab),
        onclick: () => {
          tab = t.key;
          history.replaceState(null, '', hashOf('alerts', [], tab === 'open' ? undefined : { tab }));
          draw(true);
        },
      },
      t.label,
      h('span.tab-count'),
    ),
  );
  const list = h('div.alert-list', { role: 'tabpanel' });
  const subtitle = h('p.muted.page-sub');
  replace(
    view.root,
    h('div.page-head', {}, h('div', {}, h('h1', {}, 'Alerts'), subtitle)),
    h('div.tabs', { role: 'tablist' }, tabButtons),
    list,
  );

  let alerts: Alert[] = [];
  let silences: Silence[] = [];
  let now = Date.now();

  const reload = () =>
    load().catch((error) => view.notify(String(error instanceof Error ? error.message : error), 'error'));
  const changed = (message: string) => {
    view.notify(message);
    void reload();
  };
  const expire = async (silence: Silence) => {
    try {
      await view.api.delete(`/api/v1/silences/${encodeURIComponent(silence.id)}`);
      changed(`Silence ended: ${silence.reason}`);
    } catch (error) {
      view.notify(error instanceof ApiError ? error.message : String(error), 'error');
    }
  };

  const draw = (force = false) => {
    if (!force && formOpen(list)) return; // someone is typing a comment or reason
    const byTab = new Map<Tab, Alert[]>(TABS.map((t) => [t.key, []]));
    for (const a of alerts) for (const t of tabsOf(a)) byTab.get(t)?.push(a);
    for (const b of tabButtons) {
      const key = b.dataset.tab as Tab;
      b.setAttribute('aria-selected', String(key === tab));
      const n = key === 'silences' ? silences.length : (byTab.get(key)?.length ?? 0);
      replace(b.querySelector('.tab-count') as HTMLElement, String(n));
    }
    const open = alerts.filter((a) => a.state !== 'resolved');
    const critical = open.filter((a) => a.severity === 'critical').length;
    const waiting = open.filter((a) => !a.ack && !a.silenced_by).length;
    replace(
      subtitle,
      `${open.length} open (${critical} critical), ${waiting} not yet acknowledged or silenced · ` +
        `${silences.length} ${silences.length === 1 ? 'silence' : 'silences'} in force or scheduled`,
    );
    const options = { now, api: view.api, canAct, showHost: true, changed };
    const empty = TABS.find((t) => t.key === tab)?.empty ?? '';
    if (tab === 'silences') {
      replace(
        list,
        silences.length ? silences.map((s) => silenceItem(s, now, canAct, expire)) : h('p.empty', {}, empty),
      );
      return;
    }
    const shown = [...(byTab.get(tab) ?? [])];
    // Open tabs: not yet handled first, then worst, then oldest (longest burning); history: newest first.
    const handled = (a: Alert) => (a.ack || a.silenced_by ? 1 : 0);
    if (tab !== 'history') {
      shown.sort(
        (a, b) =>
          handled(a) - handled(b) ||
          SEVERITY[a.severity] - SEVERITY[b.severity] ||
          Date.parse(a.since) - Date.parse(b.since),
      );
    }
    replace(list, shown.length ? shown.map((a) => alertItem(a, options)) : h('p.empty', {}, empty));
  };

  const load = async () => {
    const [open, all, s] = await Promise.all([
      view.api.get<{ alerts: Alert[] }>(`/api/v1/alerts?state=open&limit=${OPEN_LIMIT}`, view.signal),
      view.api.get<{ alerts: Alert[] }>(`/api/v1/alerts?state=all&limit=${HISTORY_LIMIT}`, view.signal),
      view.api.get<{ silences: Silence[] }>('/api/v1/silences', view.signal),
    ]);
    alerts = [...open.alerts, ...all.alerts.filter((a) => a.state === 'resolved')];
    silences = s.silences;
    now = Date.now();
    draw();
  };
  await view.poll(load);
}

export const alertsPage: Page = { route: 'alerts', nav: 'Alerts', render };
