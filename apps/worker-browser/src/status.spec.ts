import { describe, expect, it } from 'vitest';
import type { ClassStats } from '@shardgrad/protocol';
import { offlineTotal, totalFromClassStats } from './class-total.ts';
import type { Phase } from './session.ts';
import { calibratingMessage } from './session.ts';
import { describeStatus } from './status.ts';
import { displayName } from '@shardgrad/protocol/display';

const PHASES: Phase[] = ['connecting', 'code', 'downloading', 'calibrating', 'waiting', 'training', 'paused', 'finished', 'error'];
const STATES: (ClassStats['state'] | undefined)[] = [undefined, 'waiting', 'training', 'paused', 'stopping', 'finished'];

const total = (state: ClassStats['state'], waitingFor?: ClassStats['waitingFor'], step = 5) =>
  totalFromClassStats({ runId: 'r', model: 'm', state, step, total: { samples: 0, rounds: 0, workers: 1, minutes: 0 }, rows: [], ...(waitingFor && { waitingFor }) });

describe('the status line', () => {
  it('takes title and message from one state: the tab says what it does unless it waits for a reason the class knows', () => {
    const tabMessage = 'the tab’s own message';
    for (const phase of PHASES) {
      for (const state of STATES) {
        const line = describeStatus({ phase, message: tabMessage }, state && total(state));
        const classExplains = phase === 'waiting' && state !== undefined && state !== 'training';
        // Either both come from the class's reason, or both from the tab's phase: never a mix.
        expect(line.message === tabMessage, `${phase}/${state}`).toBe(!classExplains);
        if (!classExplains) expect(line.title, `${phase}/${state}`).toBe(describeStatus({ phase, message: tabMessage }, undefined).title);
      }
    }
    expect(describeStatus({ phase: 'training', message: 'Computing 64 samples for round 890…' }, total('training')).title).toBe('Training');
    expect(describeStatus({ phase: 'waiting', message: 'Waiting for the next round…' }, total('training')).title).toBe('Waiting');
  });

  it('tells a waiting student why no work comes: classmates to wait for, paused by the teacher, stopping, or ended', () => {
    expect(describeStatus({ phase: 'waiting', message: 'x' }, total('waiting', { needed: 2, have: 1, toStart: true }))).toEqual({
      title: 'Waiting for classmates',
      message: 'Waiting for more classmates to join (1 of 2)…',
    });
    expect(describeStatus({ phase: 'waiting', message: 'x' }, total('waiting')).message).toMatch(/enough classmates have joined/);
    expect(describeStatus({ phase: 'waiting', message: 'x' }, total('paused'))).toMatchObject({ title: 'Paused by the teacher', message: expect.stringMatching(/teacher has paused/) });
    // Paused before the first step: the class gathers for the teacher's Start (coordinator --start-paused).
    expect(describeStatus({ phase: 'waiting', message: 'x' }, total('paused', undefined, 0))).toMatchObject({ title: 'Waiting for the teacher to start' });
    expect(describeStatus({ phase: 'waiting', message: 'x' }, total('stopping')).message).toMatch(/stopping/);
    expect(describeStatus({ phase: 'waiting', message: 'x' }, total('finished')).message).toMatch(/run has ended/);
    // Numbers from a class server that went away explain nothing any more.
    expect(describeStatus({ phase: 'waiting', message: 'x' }, offlineTotal(total('paused'))).message).toBe('x');
  });

  it('asks for the class code as a normal step, not as an error', () => {
    expect(describeStatus({ phase: 'code', message: "Type the class code from the teacher's screen to join." }, undefined).title).toBe('Enter the class code');
  });

  it('says which backend the test measures now, and how far it is', () => {
    expect(calibratingMessage({ done: [], total: 4 })).toMatch(/Testing which backend/);
    expect(calibratingMessage({ testing: 'cpu', done: [], total: 4 })).toBe('Testing CPU (the reference the others must match), 1 of 4…');
    expect(calibratingMessage({ testing: 'webgl', done: [{ backend: 'cpu', available: true }, { backend: 'webgpu', available: false }], total: 4 })).toBe('Testing WebGL, 3 of 4…');
  });
});

describe("a worker's display name", () => {
  it('is its nickname, else the first 8 characters of its id, as on the dashboard', () => {
    expect(displayName({ id: 'w-6b9d6e21f0' })).toBe('w-6b9d6e');
    expect(displayName({ id: 'w-6b9d6e21f0', nickname: '' })).toBe('w-6b9d6e');
    expect(displayName({ id: 'w-6b9d6e21f0', nickname: 'Ada' })).toBe('Ada');
  });
});
