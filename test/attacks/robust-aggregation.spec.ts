import { describe, expect, it } from 'vitest';
import { runAttack } from './attack-harness.ts';

const base = { workers: 5, malicious: 1, steps: 60, batch: 64, seed: 2 };

/**
 * One worker in five sends its gradient sign-flipped and ×10. The plain mean follows it uphill;
 * a robust rule discards it and trains as if it were not there. (The full table, with label flips,
 * noise and every rule, is `npx tsx test/attacks/attack-table.ts`.)
 */
describe('Byzantine workers against the aggregators', () => {
  it('the median trains through a sign-flip ×10 worker; the mean does not', async () => {
    const mean = await runAttack({ ...base, aggregator: 'mean', attack: 'sign-flip' });
    const median = await runAttack({ ...base, aggregator: 'median', attack: 'sign-flip' });
    // 60 steps of batch 64 bring a clean MNIST-MLP to about 80%; a mean following the attacker
    // climbs the loss instead, to chance or below.
    expect(median.testAccuracy).toBeGreaterThan(0.6);
    expect(mean.testAccuracy).toBeLessThan(0.3);
    expect(median.refusedRounds).toBeLessThan(5);

  });
});
