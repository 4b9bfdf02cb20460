import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { HttpRoutes, sendJson } from './http-routes.ts';

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
    expect((await ask(port, 'HEAD', '/api/rotate')).status).toBe(404);
    expect((await ask(port, 'GET', '/api/rotate')).status).toBe(404);
    expect((await ask(port, 'HEAD', '/nothing')).status).toBe(404);
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
