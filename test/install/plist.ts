// A strict reader for the XML property lists the macOS installer writes (no plutil on Linux):
// well-formed XML with matching tags, the plist DTD's value elements only, a <dict> of alternating
// <key> and value. Anything else throws, naming what and where.

export type PlistValue = string | number | boolean | PlistValue[] | { [key: string]: PlistValue };

interface Element {
  name: string;
  children: Element[];
  text: string;
  at: number;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decode(text: string, at: number): string {
  return text.replace(/&([a-z]+);|&/g, (whole, name: string | undefined) => {
    const value = name === undefined ? undefined : ENTITIES[name];
    if (value === undefined) throw new Error(`plist: bad entity "${whole}" near offset ${at}`);
    return value;
  });
}

function parseXml(xml: string): Element {
  let i = 0;
  const skipMisc = () => {
    for (;;) {
      while (i < xml.length && /\s/.test(xml[i] as string)) i++;
      if (xml.startsWith('<?', i)) i = end('?>');
      else if (xml.startsWith('<!--', i)) i = end('-->');
      else if (xml.startsWith('<!DOCTYPE', i)) i = end('>');
      else return;
    }
  };
  const end = (marker: string) => {
    const j = xml.indexOf(marker, i);
    if (j < 0) throw new Error(`plist: "${marker}" never closes the construct at offset ${i}`);
    return j + marker.length;
  };
  const element = (): Element => {
    const at = i;
    const open = /^<([A-Za-z][\w.-]*)((?:\s+[\w:.-]+="[^"<]*")*)\s*(\/?)>/.exec(xml.slice(i));
    if (!open) throw new Error(`plist: expected an element at offset ${i}: ${JSON.stringify(xml.slice(i, i + 30))}`);
    i += open[0].length;
    const el: Element = { name: open[1] as string, children: [], text: '', at };
    if (open[3] === '/') return el;
    for (;;) {
      if (xml.startsWith('<!--', i)) {
        i = end('-->');
        continue;
      }
      if (xml.startsWith('</', i)) {
        const close = /^<\/([A-Za-z][\w.-]*)\s*>/.exec(xml.slice(i));
        if (!close || close[1] !== el.name)
          throw new Error(`plist: <${el.name}> (offset ${at}) closed by ${xml.slice(i, i + 20)} at offset ${i}`);
        i += close[0].length;
        return el;
      }
      if (xml[i] === '<') {
        el.children.push(element());
        continue;
      }
      const next = xml.indexOf('<', i);
      if (next < 0) throw new Error(`plist: <${el.name}> (offset ${at}) is never closed`);
      el.text += decode(xml.slice(i, next), i);
      i = next;
    }
  };
  skipMisc();
  const root = element();
  skipMisc();
  if (i !== xml.length) throw new Error(`plist: text after the root element at offset ${i}`);
  return root;
}

function value(el: Element): PlistValue {
  const onlyText = () => {
    if (el.children.length > 0) throw new Error(`plist: <${el.name}> at offset ${el.at} must hold only text`);
    return el.text;
  };
  switch (el.name) {
    case 'string':
      return onlyText();
    case 'integer': {
      const t = onlyText().trim();
      if (!/^-?\d+$/.test(t)) throw new Error(`plist: <integer> at offset ${el.at} is "${t}"`);
      return Number(t);
    }
    case 'real':
      return Number(onlyText().trim());
    case 'true':
    case 'false':
      if (el.children.length > 0 || el.text.trim() !== '') throw new Error(`plist: <${el.name}/> must be empty`);
      return el.name === 'true';
    case 'array':
      if (el.text.trim() !== '') throw new Error(`plist: loose text in <array> at offset ${el.at}`);
      return el.children.map(value);
    case 'dict': {
      if (el.text.trim() !== '') throw new Error(`plist: loose text in <dict> at offset ${el.at}`);
      const out: { [key: string]: PlistValue } = {};
      for (let k = 0; k < el.children.length; k += 2) {
        const key = el.children[k] as Element;
        const val = el.children[k + 1];
        if (key.name !== 'key') throw new Error(`plist: <dict> entry at offset ${key.at} is <${key.name}>, not <key>`);
        if (!val) throw new Error(`plist: <key>${key.text}</key> has no value`);
        if (key.text in out) throw new Error(`plist: key "${key.text}" appears twice`);
        out[key.text] = value(val);
      }
      return out;
    }
    default:
      throw new Error(`plist: <${el.name}> at offset ${el.at} is not a plist element`);
  }
}

/** The top-level value of an XML plist. */
export function parsePlist(xml: string): PlistValue {
  const root = parseXml(xml);
  if (root.name !== 'plist') throw new Error(`plist: the root element is <${root.name}>, not <plist>`);
  if (root.children.length !== 1) throw new Error('plist: <plist> must hold exactly one value');
  return value(root.children[0] as Element);
}
