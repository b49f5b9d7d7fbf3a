// Enrollment: create a token for a client's site, see it once with the install command for Linux,
// Windows and macOS (each with a Copy button), and list and revoke tokens. The API decides who may
// (admin, technician; a technician limited to clients only for those) and builds the commands.
import { confirmButton, copyBox, dataTable, errorText, field, onSubmit, pageHead } from '../controls.js';
import { h, replace } from '../dom.js';
import { when } from '../format.js';
import type { Page, PageView } from '../page.js';

interface Token {
  id: string;
  client: string;
  site: string;
  status: 'active' | 'expired' | 'revoked';
  created_at: string;
  expires_at: string;
  revoked_at: string | null;
  uses: number;
}

interface Created extends Token {
  token: string;
  url: string;
  install: { linux: string; macos: string; windows: string };
}

/** Only the names the datalists offer; the fleet answers only the user's clients. */
interface FleetNames {
  clients: { name: string; sites: { name: string }[] }[];
}

const LIFETIMES: [hours: number, label: string][] = [
  [1, '1 hour'],
  [24, '1 day'],
  [168, '7 days'],
  [720, '30 days'],
];

const OSES: [key: keyof Created['install'], label: string, hint: string][] = [
  ['windows', 'Windows', 'in PowerShell or a Command Prompt run as administrator'],
  ['linux', 'Linux', 'in a terminal, as a user who may sudo'],
  ['macos', 'macOS', 'in Terminal, as an administrator'],
];

function createdCard(created: Created): HTMLElement {
  return h(
    'section.once',
    { 'data-token-id': created.id },
    h('h2', {}, `Token for ${created.client} / ${created.site}`),
    h(
      'p.once-warning',
      {},
      `Shown only now: copy what you need before you leave this page. Valid until ${when(created.expires_at)}.`,
    ),
    h('div.field-label', {}, 'Token'),
    copyBox(created.token, 'the token', { 'data-copy': 'token' }),
    OSES.map(([os, label, hint]) => [
      h('div.field-label', {}, label, h('span.field-hint', {}, ` — paste ${hint}`)),
      copyBox(created.install[os], `the ${label} install command`, { 'data-os': os }),
    ]),
    h(
      'p.muted',
      {},
      `The commands download the agent from ${created.url}, install it as a service and enroll it at this site. `,
      'Re-running one upgrades in place.',
    ),
  );
}

function tokenRow(token: Token, revoke: (token: Token) => Promise<void>): HTMLElement {
  return h(
    `tr${token.status === 'active' ? '' : '.inactive'}`,
    { 'data-token': token.id },
    h('td', {}, token.client),
    h('td', {}, token.site),
    h('td', {}, h(`span.status-word.status-${token.status}`, {}, token.status)),
    h('td', { title: token.created_at }, when(token.created_at)),
    h('td', { title: token.expires_at }, when(token.revoked_at ?? token.expires_at)),
    h('td', {}, String(token.uses)),
    h(
      'td.actions',
      {},
      token.status === 'active' ? confirmButton('Revoke', 'Click again to revoke', () => revoke(token)) : null,
    ),
  );
}

async function render(view: PageView): Promise<void> {
  view.setTitle('Enroll');
  const clientList = h('datalist#enroll-clients');
  const siteList = h('datalist#enroll-sites');
  const client = h('input#enroll-client', {
    required: true,
    maxlength: 200,
    list: 'enroll-clients',
    autocomplete: 'off',
  });
  const site = h('input#enroll-site', { required: true, maxlength: 200, list: 'enroll-sites', autocomplete: 'off' });
  const lifetime = h(
    'select#enroll-lifetime',
    {},
    LIFETIMES.map(([hours, label]) => h('option', { value: String(hours), selected: hours === 168 }, label)),
  );
  const submit = h('button.primary', { type: 'submit' }, 'Create token');
  const error = h('p.form-error', { role: 'alert', hidden: true });
  const result = h('div.enroll-result');
  const list = h('div');
  let fleet: FleetNames = { clients: [] };

  const fillSites = () => {
    const sites = fleet.clients.find((c) => c.name === client.value.trim())?.sites ?? [];
    replace(
      siteList,
      sites.map((s) => h('option', { value: s.name })),
    );
  };
  client.addEventListener('input', fillSites);

  const form = h(
    'form.card.padded.enroll-form',
    { novalidate: true },
    h('h2', {}, 'New enrollment token'),
    h(
      'div.form-grid',
      {},
      field('Client', client, 'the practice; new names are created'),
      field('Site', site, 'a location of that client'),
      field('Valid for', lifetime, 'agents can enroll with it until then'),
    ),
    clientList,
    siteList,
    h('div.form-actions', {}, submit),
    error,
  );

  const load = async () => {
    const [{ tokens }, names] = await Promise.all([
      view.api.get<{ tokens: Token[] }>('/api/v1/enrollment-tokens', view.signal),
      view.api.get<FleetNames>('/api/v1/fleet', view.signal),
    ]);
    fleet = names;
    replace(
      clientList,
      fleet.clients.map((c) => h('option', { value: c.name })),
    );
    fillSites();
    replace(
      list,
      dataTable(
        ['Client', 'Site', 'Status', 'Created', 'Expires / revoked', 'Agents', ''],
        tokens.map((t) => tokenRow(t, revoke)),
        'No enrollment tokens yet.',
      ),
    );
  };

  async function revoke(token: Token): Promise<void> {
    try {
      await view.api.delete(`/api/v1/enrollment-tokens/${encodeURIComponent(token.id)}`);
      view.notify(`Revoked the token for ${token.client} / ${token.site}`);
    } catch (e) {
      view.notify(errorText(e), 'error');
    }
    await load();
  }

  onSubmit(form, error, async () => {
    if (client.value.trim() === '' || site.value.trim() === '') throw new Error('Enter a client and a site.');
    const created = await view.api.post<Created>('/api/v1/enrollment-tokens', {
      client: client.value.trim(),
      site: site.value.trim(),
      expires_in_hours: Number(lifetime.value),
    });
    replace(result, createdCard(created));
    result.scrollIntoView({ block: 'nearest' });
    await load();
  });

  replace(
    view.root,
    pageHead('Enroll agents', 'Create a token for a site, then paste its install command on each machine.'),
    form,
    result,
    h('section.card.padded', {}, h('h2', {}, 'Tokens'), list),
  );
  await view.poll(load);
}

export const enrollPage: Page = { route: 'enroll', nav: 'Enroll', roles: ['admin', 'technician'], render };
