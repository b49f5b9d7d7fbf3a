// The host page (being built).
import { h, replace } from '../dom.js';
import type { Page } from '../page.js';

export const hostPage: Page = {
  route: 'host',
  render(view) {
    replace(view.root, h('h1', {}, 'host'));
  },
};
