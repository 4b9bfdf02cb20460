import { createHash } from 'node:crypto';
import { stat, readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, resolve, sep } from 'node:path';
import { promisify } from 'node:util';
import { gzip as gzipCb } from 'node:zlib';
import type { RouteHandler } from './http-routes.ts';

const gzip = promisify(gzipCb);

/**
 * Cross-origin isolation on every page, script and wasm file: with COOP same-origin and COEP
 * require-corp the page (and its Web Workers) get `crossOriginIsolated`, hence SharedArrayBuffer,
 * hence the threaded wasm backend. CORP lets our own documents embed each resource under COEP.
 */
export const ISOLATION_HEADERS: Readonly<Record<string, string>> = {
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-embedder-policy': 'require-corp',
  'cross-origin-resource-policy': 'same-origin',
  'x-content-type-options': 'nosniff',
};

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  // WebAssembly.instantiateStreaming refuses any other type.
  '.wasm': 'application/wasm',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.ico': 'image/x-icon',
  '.bin': 'application/octet-stream',
};

/** Types worth compressing: text and wasm shrink by half or more; images are compressed already. */
const COMPRESSIBLE = new Set(['.html', '.js', '.mjs', '.css', '.map', '.json', '.wasm', '.svg', '.bin']);

export interface Payload {
  bytes: Uint8Array;
  /** Pre-compressed bytes, served when the client accepts gzip. */
  gzipped?: Uint8Array;
  type: string;
  etag: string;
}

export const acceptsGzip = (req: IncomingMessage) => /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''));

/** Sends bytes with the isolation headers, gzip when accepted, and 304 when the client has them. */
export function sendPayload(req: IncomingMessage, res: ServerResponse, p: Payload, cacheControl = 'no-cache'): void {
  const headers: Record<string, string> = { ...ISOLATION_HEADERS, 'content-type': p.type, etag: p.etag, 'cache-control': cacheControl, vary: 'accept-encoding' };
  if (req.headers['if-none-match'] === p.etag) {
    res.writeHead(304, headers);
    res.end();
    return;
  }
  const body = p.gzipped && acceptsGzip(req) ? p.gzipped : p.bytes;
  if (body === p.gzipped) headers['content-encoding'] = 'gzip';
  headers['content-length'] = String(body.byteLength);
  res.writeHead(200, headers);
  res.end(req.method === 'HEAD' ? undefined : body);
}

export async function makePayload(bytes: Uint8Array, type: string, compress: boolean): Promise<Payload> {
  const etag = `"${createHash('sha1').update(bytes).digest('base64url')}"`;
  return { bytes, type, etag, ...(compress ? { gzipped: new Uint8Array(await gzip(bytes)) } : {}) };
}

/** Files read (and compressed) once per version of the file on disk: the same few assets go to every tab. */
const fileCache = new Map<string, { key: string; payload: Promise<Payload> }>();

export async function sendFile(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
  const info = await stat(path);
  const key = `${info.mtimeMs}:${info.size}`;
  let entry = fileCache.get(path);
  if (!entry || entry.key !== key) {
    const ext = extname(path).toLowerCase();
    const payload = readFile(path).then((b) => makePayload(new Uint8Array(b), CONTENT_TYPES[ext] ?? 'application/octet-stream', COMPRESSIBLE.has(ext)));
    entry = { key, payload };
    fileCache.set(path, entry);
    payload.catch(() => fileCache.delete(path));
  }
  sendPayload(req, res, await entry.payload);
}

export interface StaticMount {
  /** URL prefix with both slashes, e.g. `/join/`. */
  prefix: string;
  /** The folder served; a function when it must be produced first (a build on demand). */
  dir: string | (() => Promise<string>);
  /** Which relative paths may be served (default: any file of a known type). */
  allow?: (relativePath: string) => boolean;
}

/**
 * A fallback handler serving one folder under a URL prefix. It passes (writes nothing) for other
 * prefixes, answers 404 inside its prefix, and never leaves its folder whatever the path says.
 */
export function staticFiles(mount: StaticMount): RouteHandler {
  return async (req, res, url) => {
    if (!url.pathname.startsWith(mount.prefix)) return;
    if (req.method !== 'GET' && req.method !== 'HEAD') return;
    let rel: string;
    try {
      rel = decodeURIComponent(url.pathname.slice(mount.prefix.length));
    } catch {
      return notFound(res, url.pathname);
    }
    const ext = extname(rel).toLowerCase();
    const known = ext in CONTENT_TYPES;
    if (!rel || rel.includes('\0') || rel.split('/').some((part) => part === '..' || part.startsWith('.')) || !known || !(mount.allow?.(rel) ?? true)) {
      return notFound(res, url.pathname);
    }
    const root = typeof mount.dir === 'string' ? mount.dir : await mount.dir();
    const path = resolve(root, rel);
    if (!path.startsWith(resolve(root) + sep)) return notFound(res, url.pathname);
    try {
      await sendFile(req, res, path);
    } catch (e) {
      // A name too long, or a path through a file, names no file we serve either.
      if (['ENOENT', 'EISDIR', 'ENOTDIR', 'ENAMETOOLONG'].includes((e as NodeJS.ErrnoException).code ?? '')) return notFound(res, url.pathname);
      throw e;
    }
  };
}

function notFound(res: ServerResponse, path: string): void {
  res.writeHead(404, { ...ISOLATION_HEADERS, 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  res.end(JSON.stringify({ error: `no file at ${path}` }));
}
