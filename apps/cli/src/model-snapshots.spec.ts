import { EventEmitter } from 'node:events';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Coordinator } from '@shardgrad/coordinator';
import type { ModelDefinition } from '@shardgrad/models';
import { writeSnapshots } from './model-snapshots.ts';

/** Just what the writer reads of a coordinator: its events, run id and config. */
function fakeCoordinator(snapshots: ModelDefinition['snapshots']) {
  const c = Object.assign(new EventEmitter(), {
    runId: 'run-1',
    config: { def: { snapshots }, modelConfig: { every: 2 }, state: { model: undefined }, dataset: undefined },
  });
  return { c, coordinator: c as unknown as Coordinator, round: (step: number) => c.emit('event', { type: 'round', step }) };
}

describe('snapshots during training', () => {
  it('writes the model’s files every N rounds into the run directory, drawn at that round', async () => {
    const out = mkdtempSync(join(tmpdir(), 'shardgrad-snapshots-'));
    const { coordinator, round } = fakeCoordinator({
      every: (config) => config.every as number,
      make: (_ctx, step) => [{ file: `samples/step-${step}.txt`, description: `at ${step}`, kind: 'text', text: `step ${step}` }],
    });
    const w = writeSnapshots(coordinator, out);
    for (let step = 1; step <= 5; step++) round(step);
    const written = await w.flush();
    w.stop();
    round(6); // after stop: nothing more
    expect(written.map((a) => a.path)).toEqual([join(out, 'run-1/samples/step-2.txt'), join(out, 'run-1/samples/step-4.txt')]);
    expect(readFileSync(join(out, 'run-1/samples/step-4.txt'), 'utf8')).toBe('step 4');
    expect(existsSync(join(out, 'run-1/samples/step-6.txt'))).toBe(false);
  });

  it('does nothing for a model without snapshots', async () => {
    const { coordinator, round } = fakeCoordinator(undefined);
    const w = writeSnapshots(coordinator, mkdtempSync(join(tmpdir(), 'shardgrad-snapshots-')));
    round(2);
    expect(await w.flush()).toEqual([]);
  });
});
