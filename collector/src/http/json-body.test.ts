import { gzipSync } from 'node:zlib';
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { HttpError } from './api-error.js';
import { decodeBody, registerJsonBody } from './json-body.js';

describe('decodeBody', () => {
  const json = Buffer.from('{"a":1}');

  it('passes a plain body through and inflates gzip (any case, x-gzip too)', () => {
    expect(decodeBody(undefined, json, 100)).toBe(json);
    expect(decodeBody('identity', json, 100)).toBe(json);
    expect(decodeBody('GZip', gzipSync(json), 100).toString()).toBe('{"a":1}');
    expect(decodeBody('x-gzip', gzipSync(json), 100).toString()).toBe('{"a":1}');
  });

  it('stops inflating at the limit: 413, not the whole bomb', () => {
    const bomb = gzipSync(Buffer.alloc(10 * 1024 * 1024, 0x30));
    const error = (() => {
      try {
        decodeBody('gzip', bomb, 64 * 1024);
      } catch (e) {
        return e as HttpError;
      }
    })();
    expect(error).toBeInstanceOf(HttpError);
    expect(error?.statusCode).toBe(413);
    expect(error?.code).toBe('too_large');
    // Exactly at the limit is still fine.
    expect(decodeBody('gzip', gzipSync(Buffer.alloc(1000, 0x30)), 1000).length).toBe(1000);
  });

  it('answers 400 to a body that is not gzip and 415 to another coding', () => {
    expect(() => decodeBody('gzip', json, 100)).toThrow(/gzip body could not be decompressed/);
    expect(() => decodeBody('br', json, 100)).toThrow(expect.objectContaining({ statusCode: 415 }));
  });
});

describe('registerJsonBody', () => {
  it('parses plain and gzip JSON and refuses prototype poisoning', async () => {
    const app = Fastify();
    registerJsonBody(app, 1024);
    app.post('/echo', async (request) => ({ got: request.body }));
    const plain = await app.inject({
      method: 'POST',
      url: '/echo',
      payload: '{"x":[1,2]}',
      headers: { 'content-type': 'application/json' },
    });
    expect(plain.json()).toEqual({ got: { x: [1, 2] } });
    const gz = await app.inject({
      method: 'POST',
      url: '/echo',
      payload: gzipSync('{"x":"z"}'),
      headers: { 'content-type': 'application/json; charset=utf-8', 'content-encoding': 'gzip' },
    });
    expect(gz.json()).toEqual({ got: { x: 'z' } });
    const poisoned = await app.inject({
      method: 'POST',
      url: '/echo',
      payload: gzipSync('{"__proto__":{"admin":true}}'),
      headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
    });
    expect(poisoned.statusCode).toBe(400);
    await app.close();
  });
});
