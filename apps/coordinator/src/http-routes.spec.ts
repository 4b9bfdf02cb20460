import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HttpRoutes, sendJson } from './http-routes.ts';
import { staticFiles } from './static-files.ts';

interface Answer {
  status: number;
  contentType: string | undefined;
  body: string;
}

let server: Server | undefined;

async function serve(routes: HttpRoutes): Promise<number> {
  server = createServer((req, res) => void routes.handle(req, res));
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

function ask(port: number, method: string, path: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, contentType: res.headers['content-type'], body }));
    });
    req.on('error', reject);
    req.end();
  });
}

afterEach(async () => {
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

function healthRoutes(ready: boolean): HttpRoutes {
  const routes = new HttpRoutes();
  routes.on('GET', '/healthz', (_q, res) => sendJson(res, 200, { ok: true }));
  routes.on('GET', '/readyz', (_q, res) => sendJson(res, ready ? 200 : 503, { ready }));
  routes.on('POST', '/api/rotate', (_q, res) => sendJson(res, 200, { rotated: true }));
  return routes;
}

describe('HttpRoutes', () => {
  it('answers HEAD on a GET route with the same status and headers and no body', async () => {
    const port = await serve(healthRoutes(true));
    const get = await ask(port, 'GET', '/healthz');
    const head = await ask(port, 'HEAD', '/healthz');
    expect(get).toMatchObject({ status: 200, body: '{"ok":true}' });
    expect(head).toEqual({ status: 200, contentType: get.contentType, body: '' });
    expect(await ask(port, 'HEAD', '/readyz')).toMatchObject({ status: 200, body: '' });
  });

  it('keeps a not-ready 503 for HEAD /readyz', async () => {
    const port = await serve(healthRoutes(false));
    expect(await ask(port, 'HEAD', '/readyz')).toMatchObject({ status: 503, body: '' });
  });

  it('does not let HEAD reach routes of other methods, nor GET reach HEAD-less paths', async () => {
    const port = await serve(healthRoutes(true));
    // The path exists for POST: 405 says so, where a 404 "no route" sent people looking for a typo.
    expect((await ask(port, 'HEAD', '/api/rotate')).status).toBe(405);
    const get = await ask(port, 'GET', '/api/rotate');
    expect(get.status).toBe(405);
    expect(get.body).toContain('/api/rotate takes POST, not GET');
    expect((await ask(port, 'HEAD', '/nothing')).status).toBe(404);
    const post = await ask(port, 'POST', '/healthz');
    expect(post.status).toBe(405);
    expect(post.body).toContain('/healthz takes GET or HEAD, not POST');
  });

  it('prefers an explicit HEAD route over the GET one', async () => {
    const routes = healthRoutes(true);
    routes.on('HEAD', '/healthz', (_q, res) => {
      res.writeHead(204);
      res.end();
    });
    const port = await serve(routes);
    expect((await ask(port, 'HEAD', '/healthz')).status).toBe(204);
  });
});

describe('request targets the router cannot place', () => {
  it('answers them, and keeps serving: one such request once ended the coordinator, no token needed', async () => {
    const routes = healthRoutes(true);
    const port = await serve(routes);
    // Each was read as a URL with a host ("a", port 99999): new URL threw outside any catch.
    for (const target of ['//a:99999/', '//[/', '//%zz/', '//@/']) {
      const a = await ask(port, 'GET', target);
      expect(a.status, target).toBe(404);
      expect((await ask(port, 'GET', '/healthz')).status, `after ${target}`).toBe(200);
    }
    const absolute = await ask(port, 'GET', 'http://x:99999/');
    expect(absolute.status).toBe(400);
    expect(absolute.body).toMatch(/not a path/);
    // `//healthz` is the path //healthz, not the host "healthz" (whose path `/` the join page answered 200).
    expect((await ask(port, 'GET', '//healthz')).status).toBe(404);
  });

  it('keeps what failed out of the answer, which may name files of this machine', async () => {
    const routes = new HttpRoutes();
    routes.on('GET', '/boom', () => {
      throw new Error("ENOTDIR: not a directory, stat '/srv/secret/dist/x.js'");
    });
    const port = await serve(routes);
    const errors: string[] = [];
    const original = console.error;
    console.error = (m: string) => errors.push(m);
    try {
      const a = await ask(port, 'GET', '/boom');
      expect(a.status).toBe(500);
      expect(a.body).not.toMatch(/secret/);
      expect(errors.join('\n')).toMatch(/GET \/boom failed: ENOTDIR.*\/srv\/secret/);
    } finally {
      console.error = original;
    }
  });
});

describe('static files under names no file can have', () => {
  it('answers 404, not a 500 that named the folder they are served from', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sg-static-'));
    writeFileSync(join(dir, 'main.js'), 'ok');
    const routes = new HttpRoutes();
    routes.fallback(staticFiles({ prefix: '/join/', dir }));
    const port = await serve(routes);
    expect((await ask(port, 'GET', '/join/main.js')).status).toBe(200);
    for (const path of [`/join/${'a'.repeat(300)}.js`, '/join/main.js/x.js']) {
      const a = await ask(port, 'GET', path);
      expect(a.status, path).toBe(404);
      expect(a.body, path).not.toContain(dir);
    }
  });
});
