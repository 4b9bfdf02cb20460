import type { IncomingMessage, ServerResponse } from 'node:http';
import { controlRequestSchema, type ControlReply } from '@shardgrad/protocol';
import type { ClassroomAuth } from '../auth.ts';
import { applyControl, ControlError } from '../control-actions.ts';
import type { Coordinator } from '../coordinator.ts';
import { sendJson } from '../http-routes.ts';
import { BodyError, readJsonBody, sendBodyError } from '../json-body.ts';
import type { DashboardHub } from './dashboard-hub.ts';

/** A control request is a few dozen bytes; anything much larger is not one. */
const MAX_BODY_BYTES = 4096;

/** Read by a teacher on the dashboard, not by a developer: what is wrong and where the token is. */
export const TOKEN_REFUSAL =
  'The teacher token is missing or wrong. It is printed once in the coordinator’s terminal, in the dashboard link after #token=: ' +
  'open that link, or paste the token into the teacher token field.';

/** What each field of a control request must be, in the dashboard's words (zod's are a developer's). */
const FIELD_RULES: Record<string, string> = {
  learningRate: 'the learning rate must be a number from 1e-12 to 10',
  batch: 'the batch must be a whole number from 1 to 65,536',
  model: 'choose a model from the list',
  dataset: 'choose a dataset of the model',
  action: 'unknown control: the controls are pause, resume, stop, checkpoint, set-lr, set-batch and new-run',
};

/** The first problem zod found, as a sentence for the teacher. */
export function describeBadRequest(issue: { path: PropertyKey[]; keys?: string[] } | undefined): string {
  const field = issue?.path[0];
  if (typeof field === 'string') return FIELD_RULES[field] ?? `the control does not take "${field}"`;
  if (issue?.keys?.length) return `the control does not take ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
  return 'the control request is not an object with an action';
}

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
      return reply(401, { ok: false, error: TOKEN_REFUSAL });
    }
    let body: unknown;
    try {
      body = await readJsonBody(req, MAX_BODY_BYTES);
    } catch (e) {
      if (e instanceof BodyError) return sendBodyError(res, e);
      throw e;
    }
    const parsed = controlRequestSchema.safeParse(body);
    if (!parsed.success) return reply(400, { ok: false, error: describeBadRequest(parsed.error.issues[0]) });
    try {
      const message = await applyControl(c, parsed.data, { state: hub.state });
      reply(200, { ok: true, message, run: hub.run() });
    } catch (e) {
      if (e instanceof ControlError) return reply(409, { ok: false, error: e.message });
      throw e;
    }
  };
}
