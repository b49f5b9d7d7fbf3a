// Every page of the dashboard, in nav bar order. Add a page here (see ../PAGES.md).
import type { Page } from '../page.js';
import { alertsPage } from './alerts.js';
import { fleetPage } from './fleet.js';
import { hostPage } from './host.js';

export const PAGES: readonly Page[] = [fleetPage, alertsPage, hostPage];
