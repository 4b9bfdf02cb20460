import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendJson } from './http-routes.ts';

/** Why a request body was not taken: 413 when it is too large to be the request, 400 when it is not JSON. */
export class BodyError extends Error {
  constructor(
    readonly status: 400 | 413,
    message: string,
  ) {
    super(message);
    this.name = 'BodyError';
  }
}

/**
 * Reads a small JSON request body, refusing one over `maxBytes` as soon as it is known to be (by its
 * Content-Length, or while it streams in), so a huge body is neither buffered nor parsed.
 */
export async function readJsonBody(req: IncomingMessage, maxBytes: number): Promise<unknown> {
  const tooLarge = () => new BodyError(413, `the request body is larger than ${maxBytes} bytes, which no request here needs`);
  if (Number(req.headers['content-length'] ?? 0) > maxBytes) throw tooLarge();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > maxBytes) throw tooLarge();
    chunks.push(chunk as Buffer);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch (e) {
    throw new BodyError(400, `the request body is not JSON: ${(e as Error).message}`);
  }
}

/**
 * Answers a refused body. After a 413 the rest of the body is still on its way, unread: the
 * connection closes with the answer, or the next request on it would be parsed from that rest.
 */
export function sendBodyError(res: ServerResponse, e: BodyError): void {
  if (e.status === 413) res.setHeader('connection', 'close');
  sendJson(res, e.status, { ok: false, error: e.message });
}
