import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import type { ClassroomAuth, SecretKind } from './auth.ts';
import type { Coordinator } from './coordinator.ts';
import { sendJson } from './http-routes.ts';
import { BodyError, readJsonBody, sendBodyError } from './json-body.ts';

const rotateSchema = z.strictObject({ secret: z.enum(['join-code', 'worker-token', 'teacher-token']) });
const MAX_BODY = 1024;

/**
 * `POST /api/rotate` with `Authorization: Bearer <teacher token>` and `{"secret":"join-code"}`
 * (or worker-token, teacher-token): replaces that secret and answers with the new one, once.
 * Admitted workers stay; new joins need the new secret.
 */
export function serveRotation(c: Coordinator, auth: ClassroomAuth): void {
  c.routes.on('POST', '/api/rotate', async (req: IncomingMessage, res: ServerResponse) => {
    if (!auth.isTeacher(req)) {
      res.setHeader('www-authenticate', 'Bearer realm="shardgrad teacher"');
      return sendJson(res, 401, { ok: false, error: 'rotating a secret needs the teacher token (Authorization: Bearer <token>)' });
    }
    let body: unknown;
    try {
      body = await readJsonBody(req, MAX_BODY);
    } catch (e) {
      if (e instanceof BodyError) return sendBodyError(res, e);
      throw e;
    }
    const parsed = rotateSchema.safeParse(body);
    if (!parsed.success) return sendJson(res, 400, { ok: false, error: 'expected {"secret": "join-code" | "worker-token" | "teacher-token"}' });
    const kind: SecretKind = parsed.data.secret;
    const value = auth.rotate(kind);
    c.emit('event', { type: 'secret-rotated', secret: kind });
    sendJson(res, 200, { ok: true, secret: kind, value });
  });
}
