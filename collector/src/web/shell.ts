// The dashboard's shell: checks the session, shows the login screen or the nav bar and the page
// the hash names, and re-renders on hash changes. Polling runs here so every page refreshes alike.
import { Api, ApiError, type Session } from './api.js';
import { h, replace } from './dom.js';
import { renderLogin } from './login.js';
import { allowed, type Page, type PageView } from './page.js';
import { parseHash } from './route.js';

/** How often the page's data is read again (SPEC: live-ish, without reloading). */
export const POLL_MS = 15_000;

export class Shell {
  readonly api = new Api(() => this.showLogin());
  private current: AbortController | null = null;
  private readonly notice = h('div.notice', { role: 'status', hidden: true });

  constructor(
    private readonly root: HTMLElement,
    private readonly pages: readonly Page[],
    private readonly defaultRoute = 'fleet',
  ) {
    window.addEventListener('hashchange', () => this.render());
  }

  async start(): Promise<void> {
    try {
      this.api.session = await this.api.get<Session>('/api/v1/session');
    } catch (error) {
      // 401 already showed the login screen.
      if (!(error instanceof ApiError && error.status === 401)) this.fatal(error);
      return;
    }
    this.render();
  }

  private showLogin(): void {
    this.current?.abort();
    this.current = null;
    document.title = 'Log in · Vitals';
    renderLogin(this.root, this.api, (session) => {
      this.api.session = session;
      this.render();
    });
  }

  private fatal(error: unknown): void {
    replace(this.root, h('p.fatal', {}, `The dashboard could not start: ${String(error)}`));
  }

  private nav(session: Session, active: string): HTMLElement {
    const { user } = session;
    const links = this.pages
      .filter((p) => p.nav && allowed(p, user))
      .map((p) =>
        h(
          'a.nav-link',
          { href: `#/${p.route}`, 'aria-current': p.route === active ? 'page' : null, 'data-route': p.route },
          p.nav as string,
        ),
      );
    const logout = h(
      'button.nav-logout',
      {
        type: 'button',
        onclick: async () => {
          try {
            await this.api.delete('/api/v1/session');
          } catch {
            // Logged out either way: the session is gone or the cookie is.
          }
          this.api.session = null;
          this.showLogin();
        },
      },
      'Log out',
    );
    return h(
      'header.topbar',
      {},
      h('a.brand', { href: '#/fleet' }, h('span.brand-mark', { 'aria-hidden': 'true' }), 'Vitals'),
      h('nav.nav', { 'aria-label': 'Pages' }, links),
      h(
        'div.nav-user',
        {},
        h('span.user-name', { title: user.email }, user.name),
        h(`span.role-badge.role-${user.role}`, {}, user.role),
        logout,
      ),
    );
  }

  render(): void {
    const session = this.api.session;
    if (!session) {
      this.showLogin();
      return;
    }
    const where = parseHash(window.location.hash);
    const page = this.pages.find((p) => p.route === where.route);
    if (!page) {
      window.location.replace(`#/${this.defaultRoute}`);
      return;
    }
    this.current?.abort();
    const controller = new AbortController();
    this.current = controller;
    const main = h('main.page', { 'data-page': page.route });
    this.notice.hidden = true;
    replace(this.root, this.nav(session, page.route), this.notice, main);
    if (!allowed(page, session.user)) {
      const roles = (page.roles ?? []).join(' or ');
      replace(main, h('p.empty', {}, `This page needs the role ${roles}; you are ${session.user.role}.`));
      return;
    }
    const view: PageView = {
      root: main,
      params: where.params,
      query: where.query,
      user: session.user,
      api: this.api,
      signal: controller.signal,
      poll: (load) => this.poll(controller.signal, load),
      setTitle: (text) => {
        document.title = `${text} · Vitals`;
      },
      go: (hash) => {
        window.location.hash = hash;
      },
      notify: (text, kind = 'info') => this.notify(text, kind),
    };
    document.title = `${page.nav ?? page.route} · Vitals`;
    Promise.resolve(page.render(view)).catch((error) => this.pageError(main, error, controller.signal));
  }

  private notify(text: string, kind: 'info' | 'error'): void {
    this.notice.className = `notice notice-${kind}`;
    replace(this.notice, text);
    this.notice.hidden = false;
    if (kind === 'info') {
      const shown = this.notice.textContent;
      window.setTimeout(() => {
        if (this.notice.textContent === shown) this.notice.hidden = true;
      }, 5000);
    }
  }

  private pageError(main: HTMLElement, error: unknown, signal: AbortSignal): void {
    if (signal.aborted || (error instanceof ApiError && error.status === 401)) return;
    if (error instanceof ApiError && error.status === 404) {
      replace(main, h('div.empty.not-found', {}, h('h1', {}, 'Not found'), h('p', {}, error.message)));
      return;
    }
    replace(main, h('p.empty.error', {}, error instanceof Error ? error.message : String(error)));
  }

  /** First load now (its error is the page's); then every POLL_MS while visible, errors as a notice. */
  private async poll(signal: AbortSignal, load: () => Promise<void>): Promise<void> {
    await load();
    let last = Date.now();
    let running = false;
    const refresh = async () => {
      if (signal.aborted || running || document.hidden) return;
      running = true;
      try {
        await load();
        last = Date.now();
        if (this.notice.classList.contains('notice-error')) this.notice.hidden = true;
      } catch (error) {
        if (!signal.aborted && !(error instanceof ApiError && error.status === 401)) {
          this.notify(`Could not refresh: ${error instanceof Error ? error.message : String(error)}`, 'error');
        }
      } finally {
        running = false;
      }
    };
    const timer = window.setInterval(refresh, POLL_MS);
    const onVisible = () => {
      if (!document.hidden && Date.now() - last >= POLL_MS) void refresh();
    };
    document.addEventListener('visibilitychange', onVisible);
    signal.addEventListener('abort', () => {
      window.clearInterval(timer);
      document.removeEventListener('visibilitychange', onVisible);
    });
  }
}
