// A Zabbix passive-check client: what a Zabbix server or `zabbix_get` does to ask an agent for one
// item. One TCP connection per item. Both ways a message is "ZBXD", a flags byte, the payload
// length and a reserved field as 32-bit little-endian numbers (64-bit when flag 0x04, "large",
// is set; with flag 0x02 the payload is zlib-compressed and the reserved field is its unpacked size).
import { connect } from 'node:net';
import { inflateSync } from 'node:zlib';

const PROTOCOL = 0x01;
const COMPRESSED = 0x02;
const LARGE = 0x04;

/** The framed request for one item key (uncompressed, 32-bit lengths, as zabbix_get sends it). */
export function frame(payload) {
  const body = Buffer.from(payload, 'utf8');
  const header = Buffer.alloc(13);
  header.write('ZBXD', 0, 'latin1');
  header[4] = PROTOCOL;
  header.writeUInt32LE(body.length, 5);
  return Buffer.concat([header, body]);
}

/** The payload of a framed answer; throws when the bytes are not one whole ZBXD message. */
export function unframe(bytes) {
  if (bytes.length < 13 || bytes.toString('latin1', 0, 4) !== 'ZBXD') {
    throw new Error(`not a ZBXD answer: ${JSON.stringify(bytes.toString('latin1', 0, 40))}`);
  }
  const flags = bytes[4];
  const large = (flags & LARGE) !== 0;
  const headerSize = large ? 21 : 13;
  const length = large ? Number(bytes.readBigUInt64LE(5)) : bytes.readUInt32LE(5);
  if (bytes.length < headerSize + length) {
    throw new Error(`ZBXD answer cut short: ${bytes.length - headerSize} of ${length} bytes`);
  }
  const payload = bytes.subarray(headerSize, headerSize + length);
  return ((flags & COMPRESSED) !== 0 ? inflateSync(payload) : payload).toString('utf8');
}

/**
 * Asks the agent at host:port for one item. Resolves to its value; an item the agent cannot
 * answer comes back as "ZBX_NOTSUPPORTED\0<reason>", which is rejected with the reason.
 */
export function zabbixGet(port, key, { host = '127.0.0.1', timeoutMs = 5000 } = {}) {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host });
    const chunks = [];
    socket.setTimeout(timeoutMs, () => socket.destroy(new Error(`no answer for ${key} within ${timeoutMs} ms`)));
    socket.on('connect', () => socket.end(frame(key)));
    socket.on('data', (d) => chunks.push(d));
    socket.on('error', reject);
    socket.on('close', (hadError) => {
      if (hadError) return;
      try {
        const value = unframe(Buffer.concat(chunks));
        if (value.startsWith('ZBX_NOTSUPPORTED')) reject(new Error(`${key}: ${value.split('\0')[1] ?? value}`));
        else resolve(value);
      } catch (error) {
        reject(error);
      }
    });
  });
}
