import { describe, expect, it, vi } from 'vitest';
import { PROTOCOL_VERSION, type Hello } from '@shardgrad/protocol';
import { Admission, BENCH_FIRST_MS } from './admission.ts';
import { ClassroomAuth } from './auth.ts';
import { TokenBucket } from './token-bucket.ts';

const hello = (o: Partial<Hello> = {}): Hello => ({ protocol: PROTOCOL_VERSION, kind: 'browser', backend: 'webgl', ...o });

describe('admission', () => {
  it('lets a worker token in as a worker and a join code (any case) in as a student; refuses the rest', () => {
    const auth = new ClassroomAuth({ joinCode: 'ABCD23' });
    const a = new Admission({ auth });
    expect(a.admit(hello({ token: auth.workerToken, kind: 'node' }), '10.0.0.1')).toMatchObject({ ok: true, role: 'worker' });
    expect(a.admit(hello({ token: 'abcd23' }), '10.0.0.1')).toMatchObject({ ok: true, role: 'student' });
    expect(a.admit(hello({ token: 'WRONG1' }), '10.0.0.1')).toMatchObject({ ok: false, reason: 'unauthorized' });
    expect(a.admit(hello(), '10.0.0.1')).toMatchObject({ ok: false, reason: 'unauthorized', message: expect.stringMatching(/needed/) });
    // The teacher token is for the controls, not for joining.
    expect(a.admit(hello({ token: auth.teacherToken }), '10.0.0.1')).toMatchObject({ ok: false, reason: 'unauthorized' });
  });

  it('rotation: the old secret stops working, the new one works', () => {
    const auth = new ClassroomAuth();
    const oldCode = auth.joinCode;
    const oldToken = auth.workerToken;
    const code = auth.rotate('join-code');
    const token = auth.rotate('worker-token');
    expect(code).not.toBe(oldCode);
    expect(auth.roleOf(oldCode)).toBeUndefined();
    expect(auth.roleOf(oldToken)).toBeUndefined();
    expect(auth.roleOf(code)).toBe('student');
    expect(auth.roleOf(token)).toBe('worker');
    const teacher = auth.teacherToken;
    expect(auth.rotate('teacher-token')).not.toBe(teacher);
  });

  it('caps students per nickname and per address, and frees a place when a tab goes', () => {
    const a = new Admission({ maxTabsPerNickname: 2, maxTabsPerIp: 3 });
    const first = a.admit(hello({ nickname: 'Ada' }), '1.1.1.1');
    expect(a.admit(hello({ nickname: 'ada ' }), '1.1.1.1').ok).toBe(true);
    expect(a.admit(hello({ nickname: 'ADA' }), '1.1.1.1')).toMatchObject({ ok: false, reason: 'too-many-tabs' });
    expect(a.admit(hello({ nickname: 'Bob' }), '1.1.1.1').ok).toBe(true);
    expect(a.admit(hello({ nickname: 'Cy' }), '1.1.1.1')).toMatchObject({ ok: false, reason: 'too-many-tabs' });
    expect(a.admit(hello({ nickname: 'Cy' }), '2.2.2.2').ok).toBe(true);
    if (first.ok) first.release();
    if (first.ok) first.release(); // twice is harmless
    expect(a.admit(hello({ nickname: 'Ada' }), '1.1.1.1').ok).toBe(true);
  });

  it('does not cap worker nodes', () => {
    const auth = new ClassroomAuth();
    const a = new Admission({ auth, maxTabsPerIp: 1 });
    for (let i = 0; i < 5; i++) expect(a.admit(hello({ token: auth.workerToken, nickname: 'gpu' }), '9.9.9.9').ok).toBe(true);
  });

  it('locks an address out after repeated wrong codes', () => {
    const auth = new ClassroomAuth();
    const a = new Admission({ auth, failedHellosPerMinute: 3 });
    for (let i = 0; i < 3; i++) expect(a.admit(hello({ token: `GUESS${i}` }), '6.6.6.6')).toMatchObject({ reason: 'unauthorized' });
    expect(a.admit(hello({ token: auth.joinCode }), '6.6.6.6')).toMatchObject({ ok: false, reason: 'rate-limited' });
    expect(a.admit(hello({ token: auth.joinCode }), '7.7.7.7').ok).toBe(true);
    // What cannot be guessed still gets in from the locked address (one NAT, one careless student).
    expect(a.admit(hello({ token: auth.workerToken, kind: 'node' }), '6.6.6.6')).toMatchObject({ ok: true, role: 'worker' });
    expect(a.admit(hello({ token: 'ANYTHING' }), '6.6.6.6', 'student')).toMatchObject({ ok: true, role: 'student' });
    expect(a.admit(hello({ token: 'GUESS9' }), '6.6.6.6')).toMatchObject({ ok: false, reason: 'rate-limited' });
  });

  it('benches a worker dropped for its strikes, by address and name, longer each time', () => {
    vi.useFakeTimers();
    try {
      const auth = new ClassroomAuth({ joinCode: 'BENCH7' });
      const a = new Admission({ auth });
      const join = (nickname: string, ip = '10.1.1.1') => a.admit(hello({ token: 'BENCH7', nickname }), ip);
      const first = join('Zed');
      if (!first.ok) throw new Error('admitted at first');
      first.bench();
      first.release();
      expect(join('zed')).toMatchObject({ ok: false, reason: 'struck-out', message: expect.stringMatching(/name "zed"; it may join again in 60 s/) });
      // The rest of the class behind the same address, and the same name elsewhere, are not benched.
      expect(join('Amy').ok).toBe(true);
      expect(join('Zed', '10.9.9.9').ok).toBe(true);
      vi.advanceTimersByTime(BENCH_FIRST_MS + 1);
      const second = join('Zed');
      if (!second.ok) throw new Error('admitted after its time out');
      second.bench();
      second.release();
      vi.advanceTimersByTime(BENCH_FIRST_MS + 1);
      expect(join('Zed')).toMatchObject({ ok: false, reason: 'struck-out' });
      vi.advanceTimersByTime(BENCH_FIRST_MS);
      expect(join('Zed').ok).toBe(true);
      // Nodes with the worker token are benched the same way: a node that keeps sending NaN is broken.
      const node = a.admit(hello({ token: auth.workerToken, kind: 'node', nickname: 'gpu-3' }), '10.2.2.2');
      if (!node.ok) throw new Error('node admitted');
      node.bench();
      expect(a.admit(hello({ token: auth.workerToken, kind: 'node', nickname: 'gpu-3' }), '10.2.2.2')).toMatchObject({ ok: false, reason: 'struck-out' });
    } finally {
      vi.useRealTimers();
    }
  });

  it('allows same-origin pages and listed origins only', () => {
    const a = new Admission({ allowedOrigins: ['https://class.example'] });
    expect(a.originAllowed('http://127.0.0.1:8080', '127.0.0.1:8080')).toBe(true);
    expect(a.originAllowed('https://class.example', '10.0.0.5:8080')).toBe(true);
    expect(a.originAllowed('https://evil.example', '10.0.0.5:8080')).toBe(false);
    expect(a.originAllowed('null', '10.0.0.5:8080')).toBe(false);
  });

  it('rejects secrets too short to be secret', () => {
    expect(() => new ClassroomAuth({ workerToken: 'short' })).toThrow(/at least 16/);
    expect(() => new ClassroomAuth({ joinCode: 'a b' })).toThrow(/4 to 32 letters/);
  });
});

describe('token bucket', () => {
  it('allows a burst, then the refill rate', () => {
    let t = 0;
    const b = new TokenBucket(3, 2, () => t);
    expect([b.take(), b.take(), b.take(), b.take()]).toEqual([true, true, true, false]);
    t += 500; // one token back at 2/s
    expect([b.take(), b.take()]).toEqual([true, false]);
    t += 60_000;
    expect([b.take(), b.take(), b.take(), b.take()]).toEqual([true, true, true, false]);
  });
});
