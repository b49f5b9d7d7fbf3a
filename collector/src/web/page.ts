// What a dashboard page is: a hash route, a title, who may open it, and a render function that
// fills the page's root element. The shell (shell.ts) owns the nav bar, the login and polling.
import type { Api, Role, User } from './api.js';

export interface PageView {
  /** The page's own element (emptied before render). */
  root: HTMLElement;
  /** Path segments after the route: #/host/ag_123 → ['ag_123']. Decoded. */
  params: string[];
  /** The hash's query: #/alerts?tab=history → tab=history. */
  query: URLSearchParams;
  user: User;
  api: Api;
  /** Aborted when the user leaves the page: pass it to api.get, stop timers. */
  signal: AbortSignal;
  /**
   * Runs `load` now and again every 15 s while this page is shown and the browser tab is visible
   * (at once when the tab becomes visible again). A failed refresh shows a notice, keeps the page.
   */
  poll(load: () => Promise<void>): Promise<void>;
  /** The browser tab's title: "<text> · Vitals". */
  setTitle(text: string): void;
  /** Changes the hash; the shell renders the new page. */
  go(hash: string): void;
  /** Shows a short message at the top of the page (kind 'error' stays until the next success). */
  notify(text: string, kind?: 'info' | 'error'): void;
}

export interface Page {
  /** The first hash segment: 'fleet' for #/fleet. */
  route: string;
  /** The nav bar's label; without it the page is not in the nav bar. */
  nav?: string;
  /** Roles that may open the page (and see it in the nav bar); default every role. */
  roles?: readonly Role[];
  render(view: PageView): void | Promise<void>;
}

/** Whether the user may open the page; the API still checks every request. */
export function allowed(page: Page, user: User): boolean {
  return !page.roles || page.roles.includes(user.role);
}
