import os from 'node:os';
import { describe, expect, it } from 'vitest';
import { osRelease } from './enroll-command.js';

describe('enrollment host facts', () => {
  it('sends the product name with the build on Windows, so the collector can tell a server', () => {
    expect(osRelease('win32')).toBe(`${os.version()} ${os.release()}`.trim());
    expect(osRelease('win32').startsWith(os.version())).toBe(true);
  });

  it('sends the kernel release elsewhere', () => {
    expect(osRelease('linux')).toBe(os.release());
  });
});
