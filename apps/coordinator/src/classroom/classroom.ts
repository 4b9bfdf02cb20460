import { fileURLToPath } from 'node:url';
import { ClassroomAuth, type ClassroomAuthOptions, sameSecret } from '../auth.ts';
import type { Coordinator } from '../coordinator.ts';
import { sendJson } from '../http-routes.ts';
import { controlHandler } from './control-route.ts';
import { DashboardHub } from './dashboard-hub.ts';
import { joinUrl, publicOrigin } from './join-url.ts';
import { loadWebApp } from './web-bundle.ts';

export const DASHBOARD_PATH = '/dashboard';
const DASHBOARD_ROOT = fileURLToPath(new URL('../../../dashboard/', import.meta.url));

export interface ClassroomOptions extends ClassroomAuthOptions {
  /** What students' devices reach this server at, when the listening address is not it. */
  publicUrl?: string;
}

export interface Classroom {
  auth: ClassroomAuth;
  hub: DashboardHub;
  /** The teacher's page, without the token. */
  dashboardUrl: string;
  /** The teacher's page with the token in the fragment (never sent to the server or to logs). */
  teacherUrl: string;
  joinUrl: string;
  close(): void;
}

/**
 * Adds the classroom to a listening coordinator: the dashboard at /dashboard, its live feed, the
 * class stats for students' pages, and the run controls behind the teacher's token.
 */
export async function attachClassroom(c: Coordinator, opts: ClassroomOptions = {}): Promise<Classroom> {
  if (!c.url) throw new Error('attachClassroom needs a listening coordinator (call listen first)');
  // The coordinator's admission may already hold the secrets (trust options): one set, not two.
  const auth = c.admission.auth ?? new ClassroomAuth(opts);
  const origin = publicOrigin(c.url, c.config.host, opts.publicUrl);
  // Read at each use: the teacher may rotate the join code (POST /api/rotate).
  const join = () => ({ url: joinUrl(origin, auth.joinCode), code: auth.joinCode });
  // Where joining takes the code, reading it is joining: only the teacher's dashboard gets it (it
  // shows it on the projector), else a rotation would lock out nobody who can reach this server.
  // Asked at each use: admission may start asking for codes after the classroom is attached.
  const codeIsSecret = () => Boolean(c.admission.auth);
  const seesJoin = (token: unknown) => !codeIsSecret() || (typeof token === 'string' && sameSecret(token, auth.teacherToken));
  const hub = new DashboardHub(c, join, seesJoin);
  const files = await loadWebApp({ root: DASHBOARD_ROOT, entry: 'src/main.ts', statics: ['src/index.html'] });
  const index = files.get('index.html')!;
  for (const path of [DASHBOARD_PATH, `${DASHBOARD_PATH}/`]) {
    c.routes.on('GET', path, (_q, res) => {
      res.writeHead(200, { 'content-type': index.type, 'cache-control': 'no-cache' });
      res.end(index.body);
    });
  }
  for (const [name, f] of files) {
    c.routes.on('GET', `${DASHBOARD_PATH}/${name}`, (_q, res) => {
      res.writeHead(200, { 'content-type': f.type, 'cache-control': 'no-cache' });
      res.end(f.body);
    });
  }
  c.routes.on('GET', '/api/class', (_q, res) => sendJson(res, 200, hub.classStats()));
  c.routes.on('GET', '/api/dashboard', (q, res) => sendJson(res, 200, { ...hub.snapshot(!codeIsSecret() || auth.isTeacher(q)), preview: undefined }));
  c.routes.on('POST', '/api/control', controlHandler(c, auth, hub));
  const dashboardUrl = `${origin}${DASHBOARD_PATH}`;
  return {
    auth,
    hub,
    dashboardUrl,
    teacherUrl: `${dashboardUrl}#token=${auth.teacherToken}`,
    get joinUrl() {
      return join().url;
    },
    close: () => hub.close(),
  };
}
