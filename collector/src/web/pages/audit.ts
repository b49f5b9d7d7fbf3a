// The audit log (admin only): every admin action, newest first — who, what, when, for which client.
import { dataTable, errorText, field, pageHead } from '../controls.js';
import { h, replace } from '../dom.js';
import { when } from '../format.js';
import type { Page, PageView } from '../page.js';

interface AuditRow {
  id: number;
  at: string;
  actor: { kind: 'api_key' | 'user' | 'cli' | 'anonymous'; id: string; name: string };
  action: string;
  target: string | null;
  client: string | null;
  detail: Record<string, unknown> | null;
}

/** What each action did, in words. */
const ACTION_WORDS: Record<string, string> = {
  'alert.ack': 'acknowledged an alert',
  'silence.add': 'added a silence',
  'silence.expire': 'ended a silence',
  'user.add': 'added a user',
  'user.disable': 'disabled a user',
  'user.passwd': 'reset a password',
  'token.create': 'created an enrollment token',
  'token.revoke': 'revoked an enrollment token',
  'apikey.create': 'created an API key',
  'apikey.revoke': 'revoked an API key',
  login: 'logged in',
  'login.failed': 'failed to log in',
  'login.blocked': 'was rate limited logging in',
  logout: 'logged out',
};

/** Who acted, as a person reads it: a user's name; a key, the command line or a failed login said so. */
function who(actor: AuditRow['actor']): (HTMLElement | string)[] {
  const name = (text: string) => h('span.audit-actor', {}, text);
  const note = (text: string) => h('span.muted', {}, ` (${text})`);
  switch (actor.kind) {
    case 'user':
      return [name(actor.name)];
    case 'api_key':
      return [name(actor.name), note(`API key ${actor.id}`)];
    case 'cli':
      return [name(actor.name), note('command line')];
    case 'anonymous':
      return [name('not logged in'), note(actor.id)];
  }
}

const LIMITS = ['100', '500', '1000'];

/** "comment: replacing the disk · host: EMR-SRV01": the detail's fields as text. */
function detailText(detail: AuditRow['detail']): string {
  if (!detail) return '';
  return Object.entries(detail)
    .filter(([, value]) => value !== null && value !== undefined && value !== '')
    .map(([key, value]) => {
      // Times (expires_at, ends_at) in the reader's zone like the When column.
      const text = Array.isArray(value) ? value.join(', ') : String(value);
      return `${key.replaceAll('_', ' ')}: ${key.endsWith('_at') && typeof value === 'string' ? when(value) : text}`;
    })
    .join(' · ');
}

function auditRow(row: AuditRow): HTMLElement {
  return h(
    'tr',
    { 'data-action': row.action, 'data-audit': String(row.id) },
    h('td', { title: row.at }, when(row.at)),
    h('td', {}, who(row.actor)),
    h('td', {}, ACTION_WORDS[row.action] ?? row.action, row.target ? h('span.muted', {}, ` ${row.target}`) : null),
    h('td', {}, row.client ?? ''),
    h('td.audit-detail', {}, detailText(row.detail)),
  );
}

async function render(view: PageView): Promise<void> {
  view.setTitle('Audit log');
  const limit = h(
    'select#audit-limit',
    {},
    LIMITS.map((n) => h('option', { value: n }, `last ${n}`)),
  );
  const list = h('div');
  const load = async () => {
    const { audit } = await view.api.get<{ audit: AuditRow[] }>(`/api/v1/audit?limit=${limit.value}`, view.signal);
    replace(
      list,
      dataTable(['When', 'Who', 'What', 'Client', 'Details'], audit.map(auditRow), 'Nothing recorded yet.'),
    );
  };
  limit.addEventListener('change', () => {
    load().catch((error) => view.notify(errorText(error), 'error'));
  });
  replace(
    view.root,
    pageHead('Audit log', 'Every admin action with who and when, newest first.', field('Show', limit)),
    h('section.card.padded', {}, list),
  );
  await view.poll(load);
}

export const auditPage: Page = { route: 'audit', nav: 'Audit', roles: ['admin'], render };
