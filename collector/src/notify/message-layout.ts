// Lays a rendered notification out as plain text and as HTML email. Every value is escaped in
// HTML: summaries, hostnames and ack comments come from agents and people, never trusted markup.
import type { RenderedMessage, Tone } from './message.js';

type Model = Omit<RenderedMessage, 'text' | 'html'>;

const TONE_COLOR: Record<Tone, string> = {
  critical: '#c62828',
  warning: '#e65100',
  good: '#2e7d32',
  info: '#455a64',
};

export function escapeHtml(s: string): string {
  return s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

function factLines(facts: [string, string][], indent: string): string[] {
  const width = Math.max(0, ...facts.map(([label]) => label.length)) + 1;
  return facts.map(([label, value]) => `${indent}${`${label}:`.padEnd(width)}  ${value}`);
}

export function layoutText(m: Model): string {
  const lines = [m.lead, '', ...factLines(m.where, '')];
  if (m.items.length > 0) {
    lines.push('', `${m.itemsHeading}:`);
    m.items.forEach((item, i) => {
      const facts: [string, string][] = item.advice ? [...item.facts, ['Check first', item.advice]] : item.facts;
      lines.push('', `${i + 1}. ${item.title}`, ...factLines(facts, '   '));
    });
  }
  if (m.link) lines.push('', `${m.linkLabel}: ${m.link}`);
  lines.push('', '-- ', m.footer);
  return `${lines.join('\n')}\n`;
}

function factRows(facts: [string, string][]): string {
  return facts
    .map(
      ([label, value]) =>
        `<tr><td style="padding:2px 12px 2px 0;color:#555;vertical-align:top;white-space:nowrap">` +
        `${escapeHtml(label)}</td><td style="padding:2px 0">${escapeHtml(value)}</td></tr>`,
    )
    .join('');
}

export function layoutHtml(m: Model): string {
  const parts = [
    '<!doctype html><html><body style="font-family:Arial,Helvetica,sans-serif;font-size:14px;color:#222">',
    `<p style="font-size:16px;font-weight:bold;color:${TONE_COLOR[m.tone]}">${escapeHtml(m.lead)}</p>`,
    `<table style="border-collapse:collapse">${factRows(m.where)}</table>`,
  ];
  if (m.items.length > 0) {
    parts.push(`<h3 style="margin:16px 0 4px">${escapeHtml(m.itemsHeading)}</h3>`);
    for (const item of m.items) {
      const facts: [string, string][] = item.advice ? [...item.facts, ['Check first', item.advice]] : item.facts;
      parts.push(
        `<div style="border-left:4px solid ${TONE_COLOR[item.tone]};padding:4px 0 4px 10px;margin:10px 0">`,
        `<p style="margin:0 0 4px;font-weight:bold">${escapeHtml(item.title)}</p>`,
        `<table style="border-collapse:collapse">${factRows(facts)}</table></div>`,
      );
    }
  }
  if (m.link) parts.push(`<p><a href="${escapeHtml(m.link)}">${escapeHtml(m.linkLabel)}</a></p>`);
  parts.push(`<p style="color:#888;font-size:12px">${escapeHtml(m.footer)}</p></body></html>`);
  return parts.join('\n');
}
