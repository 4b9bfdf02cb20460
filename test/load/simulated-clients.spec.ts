import { describe, expect, it } from 'vitest';
import { initNodeBackend } from '@shardgrad/backends/node';
import { simulatedClientsBench } from '../../apps/cli/src/bench/simulated-clients.ts';

describe('bench --suite clients', () => {
  it('trains with a swarm of simulated tabs in another process: every client returns a result every round', async () => {
    await initNodeBackend('wasm');
    const r = await simulatedClientsBench({ clients: 12, model: 'mnist-mlp', batch: 48, rounds: 3, warmup: 5 });
    expect(r.rounds).toBe(3);
    // Each of the 12 gets a shard of the 48 samples and answers it, so none is left out or counted twice.
    expect(r.resultsPerRound).toBe(12);
    expect(r.coordinatorMsPerRound).toBeGreaterThan(0);
    expect(r.memory.rssMB).toBeGreaterThan(0);
  }, 120_000);
});
