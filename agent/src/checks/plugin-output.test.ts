import { describe, expect, it } from 'vitest';
import { cleanText, firstLine, MAX_MESSAGE_CHARS, parsePerfdata, parsePluginOutput } from './plugin-output.js';

describe('plugin output', () => {
  it('splits the first line into text and perfdata values with units', () => {
    const out = parsePluginOutput(
      "DISK OK - free space: / 3326 MB (56%) | /=2643MB;5948;5958;0;5968 'free %'=56%;20;10\nmore\n",
    );
    expect(out.text).toBe('DISK OK - free space: / 3326 MB (56%)');
    expect(out.values).toEqual({ '/': { value: 2643, unit: 'MB' }, free: { value: 56, unit: 'percent' } });
  });

  it('keeps labels with spaces and quotes, skips U and malformed values', () => {
    const values = parsePerfdata("'it''s load'=1.5;2;3 time=0.25s rta=U junk=abc =5 count=12c big=1e3");
    expect(values).toEqual({
      it_s_load: { value: 1.5 },
      time: { value: 0.25, unit: 'seconds' },
      count: { value: 12, unit: 'count' },
      big: { value: 1000 },
    });
  });

  it('keeps at most 20 perfdata values', () => {
    const many = Array.from({ length: 50 }, (_, i) => `v${i}=${i}`).join(' ');
    expect(Object.keys(parsePerfdata(many))).toHaveLength(20);
  });

  it('takes the first printable line and strips control characters and escape sequences', () => {
    expect(firstLine('\n\x1b[31m\x00\x07  \nhello\x1b[0m\tworld\r\nsecond')).toBe('hello world');
    expect(firstLine('\ufffd\ufffd\x01\nab\x7fc')).toBe('abc');
    expect(firstLine('')).toBe('');
  });

  it('caps a huge line at the message limit', () => {
    const text = cleanText('x'.repeat(100_000));
    expect(text.length).toBe(MAX_MESSAGE_CHARS);
    expect(text.endsWith('…')).toBe(true);
  });
});
