import { describe, expect, it } from 'vitest';
import { terminalSafe } from './terminal-text.js';

describe('terminalSafe', () => {
  it('shows ESC, BEL, C1 and bidi overrides as visible escapes and keeps other text', () => {
    expect(terminalSafe('PC\x1b[2J\x1b]0;owned\x07\x9b1m\u202eevil')).toBe(
      'PC\\x1b[2J\\x1b]0;owned\\x07\\x9b1m\\u202eevil',
    );
    expect(terminalSafe('EMR-SRV01 D: Zürich 東京')).toBe('EMR-SRV01 D: Zürich 東京');
  });
});
