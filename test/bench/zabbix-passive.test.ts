import { createServer, type Server } from 'node:net';
import { deflateSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { frame, unframe, zabbixGet } from './zabbix-passive.mjs';

function header(flags: number, length: number, reserved: number): Buffer {
  const h = Buffer.alloc(13);
  h.write('ZBXD', 0, 'latin1');
  h[4] = flags;
  h.writeUInt32LE(length, 5);
  h.writeUInt32LE(reserved, 9);
  return h;
}

describe('ZBXD framing', () => {
  it('frames a key as zabbix_get does: ZBXD, flag 1, 32-bit length, zero reserved', () => {
    const bytes = frame('system.uptime');
    expect(bytes.toString('latin1', 0, 4)).toBe('ZBXD');
    expect(bytes[4]).toBe(1);
    expect(bytes.readUInt32LE(5)).toBe(13);
    expect(bytes.readUInt32LE(9)).toBe(0);
    expect(bytes.toString('utf8', 13)).toBe('system.uptime');
  });

  it('reads the length from 32 bits even when the agent fills the reserved field (agent2 6.0 does)', () => {
    expect(unframe(Buffer.concat([header(1, 1, 1), Buffer.from('1')]))).toBe('1');
  });

  it('reads 64-bit lengths when the large flag is set', () => {
    const h = Buffer.alloc(21);
    h.write('ZBXD', 0, 'latin1');
    h[4] = 0x05;
    h.writeBigUInt64LE(5n, 5);
    expect(unframe(Buffer.concat([h, Buffer.from('12345')]))).toBe('12345');
  });

  it('inflates a compressed payload', () => {
    const packed = deflateSync(Buffer.from('77.999858'));
    expect(unframe(Buffer.concat([header(0x03, packed.length, 9), packed]))).toBe('77.999858');
  });

  it('refuses bytes that are not a whole ZBXD message', () => {
    expect(() => unframe(Buffer.from('HTTP/1.1 400 Bad Request'))).toThrow(/not a ZBXD answer/);
    expect(() => unframe(Buffer.concat([header(1, 10, 0), Buffer.from('abc')]))).toThrow(/cut short: 3 of 10/);
  });
});

describe('zabbixGet against a passive agent on 127.0.0.1', () => {
  let server: Server | undefined;
  afterEach(() => server?.close());

  async function agent(answer: (key: string) => string): Promise<number> {
    server = createServer((socket) => {
      let got = Buffer.alloc(0);
      socket.on('data', (d) => {
        got = Buffer.concat([got, d]);
        if (got.length >= 13 && got.length >= 13 + got.readUInt32LE(5)) {
          const value = Buffer.from(answer(unframe(got)));
          socket.end(Buffer.concat([header(1, value.length, value.length), value]));
        }
      });
    });
    await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
    return (server.address() as { port: number }).port;
  }

  it('sends the key and resolves to the value', async () => {
    const port = await agent((key) => (key === 'vfs.fs.size[/,pfree]' ? '42.5' : 'wrong key'));
    await expect(zabbixGet(port, 'vfs.fs.size[/,pfree]')).resolves.toBe('42.5');
  });

  it('rejects an unsupported item with the agent’s reason', async () => {
    const port = await agent(() => 'ZBX_NOTSUPPORTED\0Unknown metric nokey');
    await expect(zabbixGet(port, 'nokey')).rejects.toThrow('nokey: Unknown metric nokey');
  });
});
