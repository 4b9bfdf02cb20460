import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io, type Socket } from 'socket.io-client';
import { ClassroomAuth, attachClassroom, serveRotation, type Classroom } from '@shardgrad/coordinator';
import type { DashboardSnapshot, JoinInfo } from '@shardgrad/protocol';
import { startTestCluster, type TestCluster } from '../support/cluster.ts';

/**
 * Where joining takes a code, the code is the only key a student's tab needs: a page anyone can
 * fetch must not hand it out, or rotating it locks nobody out.
 */
describe('the join code, where it is required', () => {
  let cluster: TestCluster;
  let auth: ClassroomAuth;
  let room: Classroom;
  const sockets: Socket[] = [];
  const dashboard = (token?: string) => {
    const s = io(`${cluster.coordinator.url}/dashboard`, { transports: ['websocket'], forceNew: true, reconnection: false, auth: token ? { token } : {} });
    sockets.push(s);
    return s;
  };
  const snapshotOf = (s: Socket) => new Promise<DashboardSnapshot>((r) => s.once('snapshot', r));

  beforeAll(async () => {
    cluster = await startTestCluster({ model: 'mnist-mlp', batch: 32, seed: 3 }, []);
    const c = cluster.coordinator;
    auth = new ClassroomAuth({ joinCode: 'SECRT7' });
    c.admission.configure({ auth });
    serveRotation(c, auth);
    room = await attachClassroom(c);
  });
  afterAll(async () => {
    sockets.forEach((s) => s.close());
    room?.close();
    await cluster?.close();
  });

  it('is in the dashboard feed and GET /api/dashboard for the teacher only', async () => {
    const url = cluster.coordinator.url;
    const anyone = (await (await fetch(`${url}/api/dashboard`)).json()) as DashboardSnapshot;
    expect(anyone.run.model).toBe('mnist-mlp');
    expect(anyone.join).toBeUndefined();
    expect(JSON.stringify(anyone)).not.toContain('SECRT7');
    const wrong = (await (await fetch(`${url}/api/dashboard`, { headers: { authorization: 'Bearer not-the-teacher-token' } })).json()) as DashboardSnapshot;
    expect(wrong.join).toBeUndefined();
    const teacher = (await (await fetch(`${url}/api/dashboard`, { headers: { authorization: `Bearer ${auth.teacherToken}` } })).json()) as DashboardSnapshot;
    expect(teacher.join).toEqual({ url: room.joinUrl, code: 'SECRT7' });

    const [viewer, guesser, projector] = [dashboard(), dashboard('SECRT7'), dashboard(auth.teacherToken)];
    const [seen, guessed, shown] = await Promise.all([snapshotOf(viewer), snapshotOf(guesser), snapshotOf(projector)]);
    expect(seen.join).toBeUndefined();
    expect(guessed.join).toBeUndefined();
    expect(shown.join?.code).toBe('SECRT7');
  });

  it("sends a rotated code to the teacher's dashboard and to nobody else", async () => {
    const viewer = dashboard();
    const projector = dashboard(auth.teacherToken);
    await Promise.all([snapshotOf(viewer), snapshotOf(projector)]);
    const joinsSeenByViewer: JoinInfo[] = [];
    viewer.on('join', (j: JoinInfo) => joinsSeenByViewer.push(j));
    const newJoin = new Promise<JoinInfo>((r) => projector.once('join', r));
    // The log line follows the join event on every socket (one socket's messages keep their order).
    const viewerLogged = new Promise<void>((r) => viewer.on('log', (line: string) => line.endsWith('new join code') && r()));
    const res = await fetch(`${cluster.coordinator.url}/api/rotate`, {
      method: 'POST',
      headers: { authorization: `Bearer ${auth.teacherToken}` },
      body: JSON.stringify({ secret: 'join-code' }),
    });
    const { value } = (await res.json()) as { value: string };
    expect((await newJoin).code).toBe(value);
    await viewerLogged;
    expect(joinsSeenByViewer).toEqual([]);
  });

  it('answers a control or rotation body too large to be one with 413, and the next request is served', async () => {
    const url = cluster.coordinator.url;
    const headers = { authorization: `Bearer ${auth.teacherToken}` };
    for (const [path, size] of [['/api/control', 5000], ['/api/rotate', 2000]] as const) {
      const huge = JSON.stringify({ action: 'pause', pad: 'x'.repeat(size) });
      const res = await fetch(`${url}${path}`, { method: 'POST', headers, body: huge });
      expect(res.status).toBe(413);
      expect(((await res.json()) as { error: string }).error).toMatch(/request body is larger than \d+ bytes/);
    }
    const notJson = await fetch(`${url}/api/control`, { method: 'POST', headers, body: '{"action":' });
    expect(notJson.status).toBe(400);
    expect(((await notJson.json()) as { error: string }).error).toMatch(/not JSON/);
    const next = await fetch(`${url}/api/control`, { method: 'POST', headers, body: JSON.stringify({ action: 'checkpoint' }) });
    expect([200, 409]).toContain(next.status);
  });
});
