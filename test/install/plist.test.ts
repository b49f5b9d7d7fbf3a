// The plist reader the macOS installer test relies on must reject what launchd would reject.
import { describe, expect, it } from 'vitest';
import { parsePlist } from './plist.js';

const wrap = (body: string) =>
  `<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">\n<plist version="1.0">${body}</plist>\n`;

describe('parsePlist', () => {
  it('reads dicts, arrays, strings with entities, integers and booleans', () => {
    expect(
      parsePlist(
        wrap(
          '<dict><key>A</key><string>x &amp; &lt;y&gt;</string><key>B</key><array><integer>-3</integer><true/></array><key>C</key><false/></dict>',
        ),
      ),
    ).toEqual({ A: 'x & <y>', B: [-3, true], C: false });
  });

  it.each([
    ['a mismatched closing tag', '<dict><key>A</key><string>x</strin></dict>', /closed by/],
    ['a key without a value', '<dict><key>A</key></dict>', /has no value/],
    ['a value without a key', '<dict><string>x</string><string>y</string></dict>', /not <key>/],
    ['a bare ampersand', '<dict><key>A</key><string>a & b</string></dict>', /bad entity/],
    ['an unknown element', '<dict><key>A</key><str>x</str></dict>', /not a plist element/],
    ['a duplicated key', '<dict><key>A</key><true/><key>A</key><false/></dict>', /appears twice/],
    ['an unclosed element', '<dict><key>A</key><true/>', /closed by|never closed/],
  ])('rejects %s', (_what, body, error) => {
    expect(() => parsePlist(wrap(body))).toThrow(error);
  });
});
