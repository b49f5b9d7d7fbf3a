// The fleet overview (being built).
import { h, replace } from '../dom.js';
import type { Page } from '../page.js';

export const fleetPage: Page = {
  route: 'fleet',
  nav: 'Fleet',
  render(view) {
    replace(view.root, h('h1', {}, 'fleet'));
  },
};
