import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';
import { applyControl } from './control-actions.ts';
import { createCoordinator, prepareRun } from './create-coordinator.ts';
import type { Coordinator } from './coordinator.ts';

/**
 * A class's coordinator lives for hours while the teacher starts run after run: each run's model
 * must go when the run does. Every new run had kept its whole model (~0.4 MB for the MLP, far more
 * for the transfer model), and a refused or superseded request kept one too.
 */
describe("new runs free the models they replace", () => {
  let c: Coordinator;
  afterAll(async () => {
    await c?.close();
  });

  it('refuses a batch above the training rows, as set-batch does, keeping no model of it', async () => {
    c = await createCoordinator({ model: 'mnist-mlp', batch: 16, port: 0 });
    c.control.newRunsEnabled = true;
    const before = tf.memory().numTensors;
    await expect(applyControl(c, { action: 'new-run', model: 'mnist-mlp', batch: 65_536 })).rejects.toThrow(/batch 65536 is larger than the training set of mnist \(8500 samples\)/);
    expect(tf.memory().numTensors).toBe(before);
    expect(c.config.batch).toBe(16);
  });

  it('says which earlier request a second one replaces, and frees the replaced model', async () => {
    const mark = tf.memory().numTensors;
    const probe = await prepareRun({ model: 'cnn', batch: 64 });
    const cnnTensors = tf.memory().numTensors - mark;
    probe.state.dispose();
    const before = tf.memory().numTensors;
    expect(before).toBe(mark);
    const first = await applyControl(c, { action: 'new-run', model: 'mnist-mlp', batch: 32 });
    expect(tf.memory().numTensors).toBeGreaterThan(before);
    expect(first).not.toMatch(/instead of/);
    const second = await applyControl(c, { action: 'new-run', model: 'cnn', batch: 64 });
    expect(second).toMatch(/new run: cnn .*\(instead of the mnist-mlp run asked for before it\)/);
    // The pending run holds the cnn's model only: the mlp's tensors are gone.
    expect(tf.memory().numTensors - before).toBe(cnnTensors);
  });

  it('frees the model of the run it replaces', async () => {
    const next = c.control.takeNewRun()!;
    const withBoth = tf.memory().numTensors;
    const old = c.config.state;
    c.replaceRun(next);
    expect(c.config.state).toBe(next.state);
    expect(tf.memory().numTensors).toBeLessThan(withBoth);
    // A disposed model cannot be read: the replaced run's state is done with.
    expect(() => old.model.getWeights()[0]!.dataSync()).toThrow();
  });
});
