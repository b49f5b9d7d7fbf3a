// Every page of the dashboard, in nav bar order. Add a page here (see ../PAGES.md).
import type { Page } from '../page.js';
import { alertsPage } from './alerts.js';
import { auditPage } from './audit.js';
import { enrollPage } from './enroll.js';
import { fleetPage } from './fleet.js';
import { hostPage } from './host.js';
import { usersPage } from './users.js';

export const PAGES: readonly Page[] = [fleetPage, alertsPage, hostPage, enrollPage, usersPage, auditPage];
