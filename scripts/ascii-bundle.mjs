// Rewrites a bundle so that it holds ASCII only. V8 keeps a script's whole source in memory for as
// long as the program runs (lazy compilation reads it again); one non-ASCII character anywhere
// (a "’" in a dependency's comment, a "°" in a regex) makes that a two-byte string, double the
// size: for the agent's bundle, megabytes of resident memory for nothing.
// Every non-ASCII UTF-16 unit becomes \uXXXX, which means the same thing in strings, regexes,
// identifiers and comments. (Only String.raw of a template literal would tell the difference,
// and the characters are in comments and one regex.) Source maps: columns after an escaped
// character on its line are off by 5 per character.
import { readFileSync, writeFileSync } from 'node:fs';

/** Rewrites the file in place; returns how many characters were escaped. */
export function makeBundleAscii(file) {
  const text = readFileSync(file, 'utf8');
  let count = 0;
  const out = text.replace(/[^\x00-\x7f]/g, (c) => {
    count++;
    return `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
  });
  if (count > 0) writeFileSync(file, out);
  return count;
}
