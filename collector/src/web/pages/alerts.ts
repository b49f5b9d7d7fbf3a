// The alerts page (being built).
import { h, replace } from '../dom.js';
import type { Page } from '../page.js';

export const alertsPage: Page = {
  route: 'alerts',
  nav: 'Alerts',
  render(view) {
    replace(view.root, h('h1', {}, 'alerts'));
  },
};
