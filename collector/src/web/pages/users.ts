// Users (admin only): who may log in, with which role and clients; add one (the generated password
// is shown once), reset a password (the new one shown once; their sessions end), disable one.
import type { Role } from '../api.js';
import { confirmButton, copyBox, dataTable, errorText, field, onSubmit, pageHead } from '../controls.js';
import { h, replace } from '../dom.js';
import { ago } from '../format.js';
import type { Page, PageView } from '../page.js';

interface UserRow {
  id: string;
  email: string;
  name: string;
  role: Role;
  clients: string[] | null;
  status: 'active' | 'disabled';
  created_at: string;
  last_login_at: string | null;
  disabled_at: string | null;
}

const ROLE_HINTS: Record<Role, string> = {
  admin: 'everything, every client, users and the audit log',
  technician: 'acknowledge, silence, enroll',
  viewer: 'read only',
};

/** "Northside, Eastside" from the clients box; empty: every client. */
function parseClients(text: string): string[] {
  return [...new Set(text.split(',').map((c) => c.trim()))].filter((c) => c !== '');
}

function passwordCard(title: string, user: UserRow, password: string): HTMLElement {
  return h(
    'section.once',
    { 'data-password-for': user.email },
    h('h2', {}, title),
    h('p.once-warning', {}, `Shown only now: give it to ${user.name} (${user.email}) over a safe channel.`),
    copyBox(password, `the password of ${user.email}`, { 'data-copy': 'password' }),
  );
}

async function render(view: PageView): Promise<void> {
  view.setTitle('Users');
  const email = h('input#user-email', { type: 'email', required: true, maxlength: 254, autocomplete: 'off' });
  const name = h('input#user-name', { maxlength: 200, autocomplete: 'off' });
  const role = h(
    'select#user-role',
    {},
    (['technician', 'viewer', 'admin'] as const).map((r) => h('option', { value: r }, r)),
  );
  const roleHint = (Object.entries(ROLE_HINTS) as [Role, string][]).map(([r, hint]) => `${r}: ${hint}`).join(' · ');
  const clients = h('input#user-clients', { autocomplete: 'off', placeholder: 'every client' });
  const clientsField = field('Clients', clients, 'comma-separated; leave empty for every client');
  const submit = h('button.primary', { type: 'submit' }, 'Add user');
  const error = h('p.form-error', { role: 'alert', hidden: true });
  const result = h('div.users-result');
  const list = h('div');
  // An admin always sees every client.
  role.addEventListener('change', () => {
    clientsField.hidden = role.value === 'admin';
  });

  const form = h(
    'form.card.padded.user-form',
    { novalidate: true },
    h('h2', {}, 'Add a user'),
    h(
      'div.form-grid',
      {},
      field('Email', email, 'the login'),
      field('Name', name, 'signs acknowledgements; default: the email'),
      field('Role', role, roleHint),
      clientsField,
    ),
    h('div.form-actions', {}, submit, h('span.muted', {}, 'A password is generated and shown once.')),
    error,
  );

  const act = async (run: () => Promise<void>) => {
    try {
      await run();
    } catch (e) {
      view.notify(errorText(e), 'error');
    }
    await load();
  };
  const row = (user: UserRow, now: number) => {
    const self = user.id === view.user.id;
    const path = `/api/v1/users/${encodeURIComponent(user.id)}`;
    const reset = confirmButton('Reset password', 'Click again to reset', () =>
      act(async () => {
        const answer = await view.api.post<{ user: UserRow; password: string }>(`${path}/password`);
        replace(result, passwordCard(`New password for ${user.email}`, answer.user, answer.password));
      }),
    );
    const disable = confirmButton('Disable', 'Click again to disable', () =>
      act(async () => {
        await view.api.post(`${path}/disable`);
        view.notify(`Disabled ${user.email}; their sessions ended`);
      }),
    );
    return h(
      `tr${user.status === 'active' ? '' : '.inactive'}`,
      { 'data-user': user.email },
      h('td', {}, user.name, self ? h('span.muted', {}, ' (you)') : null),
      h('td', {}, user.email),
      h('td', {}, user.role),
      h('td', {}, user.clients === null ? h('span.muted', {}, 'every client') : user.clients.join(', ')),
      h('td', {}, h(`span.status-word.status-${user.status}`, {}, user.status)),
      h('td', { title: user.last_login_at ?? '' }, ago(user.last_login_at, now)),
      h('td.actions', {}, user.status === 'active' ? [reset, self ? null : disable] : null),
    );
  };

  async function load(): Promise<void> {
    const { users } = await view.api.get<{ users: UserRow[] }>('/api/v1/users', view.signal);
    const now = Date.now();
    replace(
      list,
      dataTable(
        ['Name', 'Email', 'Role', 'Clients', 'Status', 'Last login', ''],
        users.map((u) => row(u, now)),
        'No users.',
      ),
    );
  }

  onSubmit(form, error, async () => {
    if (email.value.trim() === '') throw new Error('Enter the email the user logs in with.');
    const limited = role.value === 'admin' ? [] : parseClients(clients.value);
    const answer = await view.api.post<{ user: UserRow; password: string }>('/api/v1/users', {
      email: email.value.trim(),
      role: role.value,
      ...(name.value.trim() === '' ? {} : { name: name.value.trim() }),
      ...(limited.length > 0 ? { clients: limited } : {}),
    });
    replace(result, passwordCard(`Added ${answer.user.email}`, answer.user, answer.password));
    form.reset();
    clientsField.hidden = false;
    await load();
  });

  replace(
    view.root,
    pageHead('Users', 'Who may log in, and to what.'),
    form,
    result,
    h('section.card.padded', {}, h('h2', {}, 'Users'), list),
  );
  await view.poll(load);
}

export const usersPage: Page = { route: 'users', nav: 'Users', roles: ['admin'], render };
