// Text from agents (hostnames, targets, messages) printed to a terminal: control characters and
// bidi overrides become visible escapes, so a hostname cannot clear the screen, retitle the
// terminal or hide an OSC 8 link. JSON output needs none of this (JSON escapes them itself).

// C0 controls except none, DEL, C1 controls, and the bidi embeddings/overrides/isolates.
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/** `\x1b`, `\x07`, `\u202e`…: every unsafe character as a visible escape; everything else as is. */
export function terminalSafe(text: string): string {
  return text.replace(UNSAFE, (c) => {
    const code = c.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}
