// One alert as the host and alerts pages show it: severity, what and where, since when, its
// acknowledgement or silence, and (for technicians and admins) acknowledge and silence forms.
import type { Api } from './api.js';
import { errorText } from './controls.js';
import { h, replace } from './dom.js';
import { ago, when } from './format.js';
import { levelBadge } from './level.js';
import { hashOf } from './route.js';
import type { Alert } from './types.js';

export interface AlertViewOptions {
  now: number;
  api: Api;
  /** Technicians and admins; viewers see no buttons (the API refuses them anyway). */
  canAct: boolean;
  /** Show the host and practice (the alerts page); the host page leaves them out. */
  showHost: boolean;
  /** After an acknowledgement or silence: reload the page's data. */
  changed: (message: string) => void;
}

const DURATIONS = [
  ['1h', '1 hour'],
  ['4h', '4 hours'],
  ['24h', '1 day'],
  ['3d', '3 days'],
  ['7d', '1 week'],
] as const;

/** A matcher whose value is quoted, so spaces and symbols in names are taken literally. */
const matcher = (label: string, value: string) => `${label}=${JSON.stringify(value)}`;

function stateWords(alert: Alert, now: number): string {
  if (alert.state === 'resolved') {
    const from = when(alert.started_at ?? alert.pending_since);
    return `${from} → ${when(alert.resolved_at)}`;
  }
  if (alert.state === 'pending') return `pending since ${ago(alert.pending_since, now)}`;
  return `firing since ${ago(alert.since, now)}`;
}

function ackForm(alert: Alert, options: AlertViewOptions, close: () => void): HTMLElement {
  const comment = h('textarea.ack-comment', {
    rows: 2,
    maxlength: 2000,
    placeholder: 'Comment for the others (e.g. "new disk ordered, fitting tonight")',
    'aria-label': 'Comment',
  });
  const message = h('p.form-error', { role: 'alert' });
  const submit = h('button.primary', { type: 'submit' }, 'Acknowledge');
  const form = h(
    'form.inline-form.ack-form',
    {
      onsubmit: async (event: Event) => {
        event.preventDefault();
        submit.disabled = true;
        try {
          await options.api.post(`/api/v1/alerts/${encodeURIComponent(alert.id)}/ack`, { comment: comment.value });
          close(); // first: a page does not redraw a list while a form in it is open
          options.changed(`Acknowledged: ${alert.summary}`);
        } catch (error) {
          submit.disabled = false;
          replace(message, errorText(error));
        }
      },
    },
    comment,
    h('div.form-buttons', {}, submit, h('button', { type: 'button', onclick: close }, 'Cancel')),
    message,
  );
  queueMicrotask(() => comment.focus());
  return form;
}

function silenceForm(alert: Alert, options: AlertViewOptions, close: () => void): HTMLElement {
  const scope = h(
    'select.silence-scope',
    { 'aria-label': 'What to silence' },
    h('option', { value: 'alert' }, `This alert on ${alert.host || alert.site}`),
    alert.host ? h('option', { value: 'host' }, `Everything on ${alert.host}`) : null,
  );
  const duration = h(
    'select.silence-duration',
    { 'aria-label': 'For how long' },
    DURATIONS.map(([value, label]) => h('option', { value, selected: value === '4h' }, label)),
  );
  const reason = h('input.silence-reason', {
    type: 'text',
    required: true,
    maxlength: 1000,
    placeholder: 'Reason (e.g. "disk swap tonight")',
    'aria-label': 'Reason',
  });
  const message = h('p.form-error', { role: 'alert' });
  const submit = h('button.primary', { type: 'submit' }, 'Silence');
  const form = h(
    'form.inline-form.silence-form',
    {
      onsubmit: async (event: Event) => {
        event.preventDefault();
        if (reason.value.trim() === '') {
          replace(message, 'Say why the alerts are muted.');
          return;
        }
        const matchers = [matcher('client', alert.client), matcher('site', alert.site)];
        if (alert.host) matchers.push(matcher('host', alert.host));
        if (scope.value === 'alert') {
          matchers.push(matcher('rule', alert.rule));
          if (alert.target) matchers.push(matcher('target', alert.target));
        }
        submit.disabled = true;
        try {
          await options.api.post('/api/v1/silences', { matchers, duration: duration.value, reason: reason.value });
          const label = DURATIONS.find(([v]) => v === duration.value)?.[1] ?? duration.value;
          close();
          options.changed(`Silenced for ${label}: ${scope.value === 'host' ? alert.host : alert.summary}`);
        } catch (error) {
          submit.disabled = false;
          replace(message, errorText(error));
        }
      },
    },
    h('div.form-row', {}, scope, duration),
    reason,
    h('div.form-buttons', {}, submit, h('button', { type: 'button', onclick: close }, 'Cancel')),
    message,
  );
  queueMicrotask(() => reason.focus());
  return form;
}

export function alertItem(alert: Alert, options: AlertViewOptions): HTMLElement {
  const { now } = options;
  const formBox = h('div.alert-form');
  const buttons = h('div.alert-actions');
  const open = alert.state !== 'resolved';
  const toggleForm = (make: () => HTMLElement) => {
    if (formBox.firstChild) replace(formBox);
    else replace(formBox, make());
  };
  if (options.canAct && open) {
    if (alert.state === 'firing') {
      buttons.append(
        h(
          'button.ack-button',
          { type: 'button', onclick: () => toggleForm(() => ackForm(alert, options, () => replace(formBox))) },
          alert.ack ? 'Change note' : 'Acknowledge',
        ),
      );
    }
    if (!alert.silenced_by) {
      buttons.append(
        h(
          'button.silence-button',
          { type: 'button', onclick: () => toggleForm(() => silenceForm(alert, options, () => replace(formBox))) },
          'Silence…',
        ),
      );
    }
  }
  const where = options.showHost
    ? h(
        'div.alert-where',
        {},
        alert.agent_id
          ? h('a.alert-host', { href: hashOf('host', [alert.agent_id]) }, alert.host)
          : h('span.alert-host', {}, alert.site),
        h('span.muted', {}, ` · ${alert.client} · ${alert.site}`),
      )
    : null;
  const tags = [
    alert.ack ? h('span.tag.tag-ack', {}, `Acknowledged by ${alert.ack.by} ${ago(alert.ack.at, now)}`) : null,
    alert.silenced_by ? h('span.tag.tag-silenced', {}, 'Silenced') : null,
    alert.state === 'pending' ? h('span.tag', {}, 'Pending') : null,
    alert.state === 'resolved' ? h('span.tag.tag-resolved', {}, 'Resolved') : null,
  ];
  return h(
    `article.alert.alert-${alert.state}.level-edge-${alert.state === 'resolved' ? 'ok' : alert.severity}`,
    { 'data-alert': alert.id, 'data-rule': alert.rule, 'data-host': alert.host },
    h(
      'div.alert-line',
      {},
      levelBadge(alert.severity, alert.severity === 'critical' ? 'Critical' : 'Warning'),
      h(
        'div.alert-text',
        {},
        where,
        h('p.alert-summary', {}, alert.summary),
        // The collector's text, as the notifications say it: never re-rendered here.
        alert.reading
          ? h('p.alert-reading.muted', {}, `${alert.state === 'resolved' ? 'Last value' : 'Value'}: ${alert.reading}`)
          : null,
      ),
      buttons,
    ),
    h(
      'div.alert-meta',
      {},
      h('span.muted', {}, `${alert.rule}${alert.target ? ` · ${alert.target}` : ''} · ${stateWords(alert, now)}`),
      tags,
    ),
    alert.ack?.comment ? h('p.ack-note', {}, `“${alert.ack.comment}” — ${alert.ack.by}`) : null,
    formBox,
  );
}

/** Whether someone is filling an acknowledge or silence form in `el`: a refresh must wait. */
export function formOpen(el: Element): boolean {
  return el.querySelector('.inline-form') !== null;
}
