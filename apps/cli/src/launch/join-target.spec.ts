import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../output.ts';
import { joinTarget, waitUntilReady } from './join-target.ts';

describe('joinTarget', () => {
  it('takes an explicit URL first, then SHARDGRAD_URL, then MASTER_ADDR + MASTER_PORT', () => {
    const env = { SHARDGRAD_URL: 'http://a:1', MASTER_ADDR: 'b', MASTER_PORT: '2' };
    expect(joinTarget('http://x:9', env).href).toBe('http://x:9/');
    expect(joinTarget(true, env).href).toBe('http://a:1/');
    expect(joinTarget(true, { MASTER_ADDR: 'b', MASTER_PORT: '2' }).href).toBe('http://b:2/');
    expect(joinTarget(true, { MASTER_ADDR: 'coordinator' }).href).toBe('http://coordinator:8080/');
  });

  it('treats an empty SHARDGRAD_URL as unset', () => {
    expect(joinTarget(true, { SHARDGRAD_URL: '', MASTER_ADDR: 'b', MASTER_PORT: '2' }).href).toBe('http://b:2/');
  });

  it('refuses a missing or malformed coordinator with a usage error', () => {
    expect(() => joinTarget(true, {})).toThrow(UsageError);
    expect(() => joinTarget('not a url', {})).toThrow(/is not a URL/);
    expect(() => joinTarget('ftp://x:1', {})).toThrow(/http:\/\/ or https:\/\//);
  });
});

describe('waitUntilReady', () => {
  it('polls /readyz until it answers 200', async () => {
    let calls = 0;
    const server = createServer((req, res) => {
      calls++;
      res.statusCode = req.url === '/readyz' && calls >= 3 ? 200 : 503;
      res.end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const port = (server.address() as AddressInfo).port;
    const waits: string[] = [];
    await waitUntilReady(new URL(`http://127.0.0.1:${port}`), 60, (why) => waits.push(why));
    server.close();
    expect(calls).toBe(3);
    expect(waits).toHaveLength(2);
    expect(waits[0]).toMatch(/readyz answered 503/);
  });

  it('gives up after its timeout and says what it last saw', async () => {
    // Port 9 (discard) on loopback: nothing listens there, so every attempt is refused at once.
    await expect(waitUntilReady(new URL('http://127.0.0.1:9'), 1)).rejects.toThrow(/not ready within 1 s/);
  });
});
