import { describe, expect, it } from 'vitest';
import { backoffDelay } from './shipper.js';
import { checkCollectorUrl, isLoopbackHost, TransportConfigError } from './transport.js';

describe('collector URL policy', () => {
  it('accepts https anywhere and plain http only on loopback', () => {
    expect(checkCollectorUrl('https://vitals.example-msp.com', false).hostname).toBe('vitals.example-msp.com');
    expect(checkCollectorUrl('http://127.0.0.1:8470', false).port).toBe('8470');
    expect(checkCollectorUrl('http://localhost:8470', false).hostname).toBe('localhost');
    expect(checkCollectorUrl('http://[::1]:8470', false).hostname).toBe('[::1]');
  });

  it('refuses plain http to another machine unless insecure_http is set, and says how to fix it', () => {
    expect(() => checkCollectorUrl('http://10.0.0.5:8470', false)).toThrow(TransportConfigError);
    expect(() => checkCollectorUrl('http://10.0.0.5:8470', false)).toThrow(/insecure_http: true/);
    expect(checkCollectorUrl('http://10.0.0.5:8470', true).hostname).toBe('10.0.0.5');
  });

  it('rejects malformed URLs and other schemes', () => {
    expect(() => checkCollectorUrl('not a url', false)).toThrow(/not a valid URL/);
    expect(() => checkCollectorUrl('ftp://host', false)).toThrow(/must be https/);
  });

  it('treats only loopback names and addresses as loopback', () => {
    expect(isLoopbackHost('127.3.4.5')).toBe(true);
    expect(isLoopbackHost('128.0.0.1')).toBe(false);
    expect(isLoopbackHost('localhost.example.com')).toBe(false);
  });
});

describe('backoff', () => {
  it('doubles up to the ceiling with jitter between half and all of it', () => {
    expect(backoffDelay(1, 1000, 300_000, () => 0)).toBe(500);
    expect(backoffDelay(1, 1000, 300_000, () => 1)).toBe(1000);
    expect(backoffDelay(4, 1000, 300_000, () => 1)).toBe(8000);
    expect(backoffDelay(30, 1000, 300_000, () => 0.5)).toBe(225_000);
  });
});
