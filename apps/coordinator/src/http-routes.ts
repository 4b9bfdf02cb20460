import type { IncomingMessage, ServerResponse } from 'node:http';

export type RouteHandler = (req: IncomingMessage, res: ServerResponse, url: URL) => void | Promise<void>;

/** A tiny exact-path router: the coordinator's HTTP surface is a handful of endpoints plus static files. */
export class HttpRoutes {
  private routes = new Map<string, RouteHandler>();
  private fallbacks: RouteHandler[] = [];

  on(method: string, path: string, handler: RouteHandler): void {
    this.routes.set(`${method} ${path}`, handler);
  }

  /** Handlers tried in order when no exact route matches (static files); they return without writing to pass. */
  fallback(handler: RouteHandler): void {
    this.fallbacks.push(handler);
  }

  /**
   * The exact route, else for HEAD the GET route: load-balancer health checks probe /healthz and
   * /readyz with HEAD. Node's ServerResponse drops the body of a HEAD answer, so the GET handler
   * gives the same status and headers without one.
   */
  private routeFor(method: string, path: string): RouteHandler | undefined {
    return this.routes.get(`${method} ${path}`) ?? (method === 'HEAD' ? this.routes.get(`GET ${path}`) : undefined);
  }

  /**
   * Never rejects: a request the router cannot place is answered, never thrown. One unanswered
   * throw here (a request target of `//a:99999/`, sent by anyone, no token needed) ended the whole
   * coordinator process and its run.
   */
  private methodsFor(path: string): string[] {
    const methods = [...this.routes.keys()].filter((k) => k.slice(k.indexOf(' ') + 1) === path).map((k) => k.slice(0, k.indexOf(' ')));
    return methods.includes('GET') && !methods.includes('HEAD') ? [...methods, 'HEAD'] : methods;
  }

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = requestUrl(req.url);
    if (!url) return sendJson(res, 400, { error: 'the request target is not a path' });
    try {
      const h = this.routeFor(req.method ?? 'GET', url.pathname);
      if (h) return await h(req, res, url);
      for (const f of this.fallbacks) {
        await f(req, res, url);
        if (res.writableEnded || res.headersSent) return;
      }
      // The path is served, by other methods: say which (a GET of /api/control, a POST to /healthz).
      const allowed = this.methodsFor(url.pathname);
      if (allowed.length) {
        res.setHeader('allow', allowed.join(', '));
        return sendJson(res, 405, { error: `${url.pathname} takes ${allowed.join(' or ')}, not ${req.method}` });
      }
      sendJson(res, 404, { error: `no route for ${req.method} ${url.pathname}` });
    } catch (e) {
      // The message may name files on this machine: it goes to the operator's log, not to the client.
      console.error(`shardgrad: ${req.method} ${url.pathname} failed: ${(e as Error).message}`);
      if (!res.headersSent) sendJson(res, 500, { error: `internal error answering ${req.method} ${url.pathname}` });
      else res.destroy();
    }
  }
}

/**
 * The path and query of a request target. It is appended to a fixed origin, never resolved against
 * one, so `//healthz` stays the path //healthz: as a URL it named the host "healthz", and the join
 * page answered 200 where a readiness probe expected /readyz. undefined where it is no URL at all.
 */
function requestUrl(target: string | undefined): URL | undefined {
  const path = target ?? '/';
  if (!path.startsWith('/')) return undefined;
  try {
    return new URL(`http://localhost${path}`);
  } catch {
    return undefined;
  }
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  res.end(text);
}
