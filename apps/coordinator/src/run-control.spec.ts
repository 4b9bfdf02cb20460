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

  it('says plainly when there is nowhere to write a checkpoint', async () => {
    await expect(new RunControl().requestCheckpoint()).rejects.toThrow(/no run directory/);
  });

  it('wakes whatever else waits when asked to stop (workers that never come)', () => {
    let woken = 0;
    new RunControl(() => woken++).stop();
    expect(woken).toBe(1);
  });
});
