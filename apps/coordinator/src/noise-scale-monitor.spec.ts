import { describe, expect, it } from 'vitest';
import type { WeightedGradients } from '@shardgrad/trainer';
import type { Coordinator } from './coordinator.ts';
import type { CoordinatorEvent } from './events.ts';
import { NoiseScaleMonitor, type NoiseScaleEvent } from './noise-scale-monitor.ts';

/** Just what the monitor reads of a coordinator. */
function fakeCoordinator(events: CoordinatorEvent[], def: { customStep?: unknown } = {}) {
  return { runId: 'run-a', config: { def, state: { trainableCount: 1 }, dataset: { train: { n: 1e12 } } }, emit: (_: string, e: CoordinatorEvent) => events.push(e) };
}

/**
 * Two shards of b examples with 1-value gradients m ± d: Ŝ = 2b·d², |Ĝ|² = m² − d², so the
 * round's B_simple is 2b·d²/(m² − d²).
 */
function round(b: number, bSimple: number): WeightedGradients[] {
  const d = 1;
  const m = Math.sqrt((2 * b * d * d) / bSimple + d * d);
  const shard = (g: number): WeightedGradients => ({ count: b, grads: [{ shape: [1], dtype: 'float32', data: new Float32Array([g]) }] });
  return [shard(m + d), shard(m - d)];
}

describe('noise-scale monitor', () => {
  it('measures a custom step (GAN, RL, negative sampling) but gives no batch advice: its result is no mean of per-example gradients', () => {
    const events: CoordinatorEvent[] = [];
    const monitor = new NoiseScaleMonitor(fakeCoordinator(events, { customStep: {} }) as unknown as Coordinator);
    for (let step = 1; step <= 30; step++) monitor.observe(step, round(32, 512));
    const last = events.at(-1) as Extract<NoiseScaleEvent, { available: true }>;
    expect(last.bSimple).toBeGreaterThan(0);
    expect(new Set((events as Extract<NoiseScaleEvent, { available: true }>[]).map((e) => e.advice.kind))).toEqual(new Set(['not-advised']));
  });

  it('announces a change of advice only once it has also held for ADVICE_HOLD_MS (fast rounds flip-flopping)', () => {
    const events: CoordinatorEvent[] = [];
    let t = 0;
    const monitor = new NoiseScaleMonitor(fakeCoordinator(events) as unknown as Coordinator, () => (t += 20));
    let step = 0;
    for (let i = 0; i < 30; i++) monitor.observe(++step, round(32, 512));
    // Rounds of 20 ms whose estimate swings between 'under' and 'near' every 40 rounds (0.8 s).
    for (let k = 0; k < 10; k++) for (let i = 0; i < 40; i++) monitor.observe(++step, round(32, k % 2 ? 512 : 60));
    const told = (events as Extract<NoiseScaleEvent, { available: true }>[]).filter((e) => e.adviceChanged).map((e) => e.advice.kind);
    expect(told).toEqual(['warming-up', 'under']);
  });

  it('advises at once after warming up, then announces a new advice only once it has held for 10 rounds', () => {
    const events: CoordinatorEvent[] = [];
    const c = fakeCoordinator(events);
    // Rounds of 2 s: 10 rounds outlast ADVICE_HOLD_MS.
    let t = 0;
    const monitor = new NoiseScaleMonitor(c as unknown as Coordinator, () => (t += 2000));
    let step = 0;
    // Batch 64 against a noise scale of 512: 8× under the critical batch.
    for (let i = 0; i < 30; i++) monitor.observe(++step, round(32, 512));
    // Then the noise scale drops to 96 (batch 64 is near it): the smoothed estimate follows over some rounds.
    for (let i = 0; i < 100; i++) monitor.observe(++step, round(32, 96));
    const noise = events as Extract<NoiseScaleEvent, { available: true }>[];
    expect(noise).toHaveLength(130);
    expect(noise[29]!.bSimple).toBeCloseTo(512, 3);
    expect(noise[129]!.bSimple).toBeCloseTo(96, 0);
    const told = noise.filter((e) => e.adviceChanged).map((e) => [e.step, e.advice.kind]);
    expect(told[0]).toEqual([1, 'warming-up']);
    expect(told[1]).toEqual([10, 'under']);
    expect(told).toHaveLength(3);
    expect(told[2]![1]).toBe('near');
    // Announced only after 'near' had been the advice for 10 rounds in a row.
    const firstNear = noise.find((e) => e.advice.kind === 'near')!.step;
    expect(told[2]![0]).toBe(firstNear + 9);
    expect(monitor.latest).toBe(noise[129]);
    expect(monitor.statistics!.trace).toBeCloseTo(noise[129]!.trace, 12);
  });

  it('starts over when the coordinator starts a new run', () => {
    const events: CoordinatorEvent[] = [];
    const c = fakeCoordinator(events);
    const monitor = new NoiseScaleMonitor(c as unknown as Coordinator);
    for (let i = 1; i <= 5; i++) monitor.observe(i, round(16, 100));
    c.runId = 'run-b';
    expect(monitor.statistics).toBeUndefined();
    monitor.observe(1, round(16, 100));
    expect((events[5] as Extract<NoiseScaleEvent, { available: true }>).rounds).toBe(1);
  });
});
