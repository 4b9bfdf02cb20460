import { describe, expect, it } from 'vitest';
import { RunControl } from './run-control.ts';

describe('RunControl', () => {
  it('lets the loop through, holds it while paused, and releases it on resume or stop', async () => {
    const ctl = new RunControl();
    ctl.begin();
    expect(await ctl.boundary(0)).toBe('continue');
    ctl.pause();
    const held = ctl.boundary(1);
    ctl.resume();
    expect(await held).toBe('continue');
    ctl.pause();
    const held2 = ctl.boundary(2);
    ctl.stop();
    expect(await held2).toBe('stop');
  });

  it('writes checkpoints between rounds in the loop, at once outside it, even while paused', async () => {
    const ctl = new RunControl();
    const steps: number[] = [];
    ctl.setCheckpointer(async (step) => (steps.push(step), `ck-${step}`));
    expect(await ctl.requestCheckpoint()).toBe('ck-0'); // before the loop: the weights are still
    ctl.begin();
    ctl.pause();
    const held = ctl.boundary(7);
    expect(await ctl.requestCheckpoint()).toBe('ck-7'); // paused at step 7: served while holding
    ctl.resume();
    await held;
    const pending = ctl.requestCheckpoint(); // mid-round: waits for the next boundary
    await ctl.boundary(8);
    expect(await pending).toBe('ck-8');
    await ctl.end(9);
    expect(await ctl.requestCheckpoint()).toBe('ck-9');
    expect(steps).toEqual([0, 7, 8, 9]);
  });

  it('writes a checkpoint at once while the loop waits for workers, where none may ever come', async () => {
    const ctl = new RunControl();
    const steps: number[] = [];
    ctl.setCheckpointer(async (step) => (steps.push(step), `ck-${step}`));
    ctl.begin();
    await ctl.boundary(4);
    let joined!: () => void;
    const arrival = new Promise<void>((r) => (joined = r));
    const waiting = ctl.stillWhile(5, () => arrival);
    // The teacher's request was answered only once a worker came back (and then twice over).
    expect(await ctl.requestCheckpoint()).toBe('ck-5');
    joined();
    await waiting;
    const pending = ctl.requestCheckpoint(); // a round runs again: back to the next boundary
    await ctl.boundary(6);
    expect(await pending).toBe('ck-6');
    expect(steps).toEqual([5, 6]);
  });

  it('writes checkpoints asked for together one after the other', async () => {
    const ctl = new RunControl();
    let writing = 0;
    let most = 0;
    ctl.setCheckpointer(async (step) => {
      most = Math.max(most, ++writing);
      await new Promise((r) => setTimeout(r, 5));
      writing--;
      return `ck-${step}`;
    });
    expect(await Promise.all([ctl.requestCheckpoint(), ctl.requestCheckpoint(), ctl.requestCheckpoint()])).toEqual(['ck-0', 'ck-0', 'ck-0']);
    expect(most).toBe(1);
  });

  it('says plainly when there is nowhere to write a checkpoint', async () => {
    await expect(new RunControl().requestCheckpoint()).rejects.toThrow(/no run directory/);
  });

  it('wakes whatever else waits when asked to stop (workers that never come)', () => {
    let woken = 0;
    new RunControl(() => woken++).stop();
    expect(woken).toBe(1);
  });
});
