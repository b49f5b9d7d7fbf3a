// Small controls the enrollment, users and audit pages share: a secret shown once with a Copy
// button, a button that asks for a second click before it acts, a labelled field and a data table.
import './controls.css';
import { h, replace } from './dom.js';

/**
 * Copies text to the clipboard. The Clipboard API needs a secure context (HTTPS or localhost); on
 * plain HTTP the text of `source` is selected and copied the old way, so Ctrl+C works at least.
 */
export async function copyText(text: string, source: HTMLElement): Promise<boolean> {
  if (window.isSecureContext && navigator.clipboard) {
    try {
      await navigator.clipboard.writeText(text);
      return true;
    } catch {
      // Permission refused: fall through to selecting it.
    }
  }
  const range = document.createRange();
  range.selectNodeContents(source);
  const selection = window.getSelection();
  selection?.removeAllRanges();
  selection?.addRange(range);
  return document.execCommand('copy');
}

/** A value in a monospace box with a Copy button beside it; `label` names it for screen readers. */
export function copyBox(text: string, label: string, attrs: Record<string, string> = {}): HTMLElement {
  const code = h('code.copy-text', {}, text);
  const button = h('button.copy', { type: 'button', 'aria-label': `Copy ${label}` }, 'Copy');
  button.addEventListener('click', async () => {
    const copied = await copyText(text, code);
    replace(button, copied ? 'Copied' : 'Press Ctrl+C');
    window.setTimeout(() => replace(button, 'Copy'), 2500);
  });
  return h('div.copy-box', attrs, h('pre.copy-pre', {}, code), button);
}

/** A button that acts on a second click within 5 s ("Revoke" → "Click again to revoke"). */
export function confirmButton(label: string, confirm: string, act: () => Promise<void>): HTMLButtonElement {
  const button = h('button.confirm', { type: 'button' }, label);
  let armed = 0;
  button.addEventListener('click', async () => {
    if (Date.now() - armed > 5000) {
      armed = Date.now();
      button.classList.add('armed');
      replace(button, confirm);
      window.setTimeout(() => {
        if (!button.disabled) {
          button.classList.remove('armed');
          replace(button, label);
        }
      }, 5000);
      return;
    }
    armed = 0;
    button.disabled = true;
    try {
      await act();
    } finally {
      button.disabled = false;
      button.classList.remove('armed');
      replace(button, label);
    }
  });
  return button;
}

/** A form field: the label above its control (phone-friendly), with an optional hint below. */
export function field(label: string, control: HTMLElement, hint?: string): HTMLElement {
  return h('label.field', {}, h('span.field-label', {}, label), control, hint ? h('span.field-hint', {}, hint) : null);
}

/** A table whose rows scroll sideways inside their card on a narrow screen, never the page. */
export function dataTable(headings: string[], rows: Node[], empty: string): HTMLElement {
  if (rows.length === 0) return h('p.empty', {}, empty);
  return h(
    'div.table-scroll',
    {},
    h(
      'table.data',
      {},
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          headings.map((t) => h('th', {}, t)),
        ),
      ),
      h('tbody', {}, rows),
    ),
  );
}

/** The heading of a page: its title, a line under it, and whatever sits on the right (a filter). */
export function pageHead(title: string, sub: string, ...right: HTMLElement[]): HTMLElement {
  return h('div.page-head', {}, h('div', {}, h('h1', {}, title), h('p.muted.page-sub', {}, sub)), right);
}

/**
 * Handles a form's submit: its buttons are disabled while `send` runs, and anything `send` throws
 * (the API's message, or a check of the page's own) is shown in `error` in the user's words.
 */
export function onSubmit(form: HTMLFormElement, error: HTMLElement, send: () => Promise<void>): void {
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    error.hidden = true;
    const buttons = Array.from(form.querySelectorAll('button'));
    for (const button of buttons) button.disabled = true;
    try {
      await send();
    } catch (e) {
      replace(error, errorText(e));
      error.hidden = false;
    } finally {
      for (const button of buttons) button.disabled = false;
    }
  });
}

/** The API's own words for a failed request, for the line under a form. */
export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
