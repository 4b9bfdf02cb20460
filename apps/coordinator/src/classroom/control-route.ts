import type { IncomingMessage, ServerResponse } from 'node:http';
import { controlRequestSchema, type ControlReply } from '@shardgrad/protocol';
import type { ClassroomAuth } from '../auth.ts';
import { applyControl, ControlError } from '../control-actions.ts';
import type { Coordinator } from '../coordinator.ts';
import { sendJson } from '../http-routes.ts';
import type { DashboardHub } from './dashboard-hub.ts';

/** A control request is a few dozen bytes; anything much larger is not one. */
const MAX_BODY_BYTES = 4096;

/**
 * `POST /api/control` with `Authorization: Bearer <teacher token>` and a JSON body such as
 * `{"action":"set-lr","learningRate":0.0005}`. 401 without the token, 400 for a malformed request,
 * 409 for a control the run cannot take, 200 with the run's new state otherwise.
 */
export function controlHandler(c: Coordinator, auth: ClassroomAuth, hub: DashboardHub) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const reply = (status: number, body: ControlReply) => sendJson(res, status, body);
    if (!auth.isTeacher(req)) {
      res.setHeader('www-authenticate', 'Bearer realm="shardgrad teacher"');
      return reply(401, { ok: false, error: 'the run controls need the teacher token (Authorization: Bearer <token>)' });
    }
    let body: unknown;
    try {
      body = JSON.parse(await readBody(req));
    } catch (e) {
      return reply(400, { ok: false, error: `the request body is not JSON: ${(e as Error).message}` });
    }
    const parsed = controlRequestSchema.safeParse(body);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      return reply(400, { ok: false, error: `bad control request: ${issue?.path.join('.') || 'body'}: ${issue?.message}` });
    }
    try {
      const message = await applyControl(c, parsed.data);
      reply(200, { ok: true, message, run: hub.run() });
    } catch (e) {
      if (e instanceof ControlError) return reply(409, { ok: false, error: e.message });
      throw e;
    }
  };
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new Error(`larger than ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}
