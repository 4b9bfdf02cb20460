import { describe, expect, it } from 'vitest';
import { runLoad } from './load-harness.ts';

/**
 * A smaller version of the load bench (`npx tsx test/load/load-bench.ts`): 30 clients, 1,500
 * duplicate or stale submissions. Every one is refused with its reason and counted against its
 * sender, none counts twice, and rounds keep completing meanwhile. (Memory and event-loop lag are
 * figures for the bench, not assertions.)
 */
describe('load: many clients and a flood of duplicates and stale results', () => {
  it('refuses and counts every junk submission while training goes on', async () => {
    const r = await runLoad({ clients: 30, junk: 1_500 });
    expect(r.joined).toBe(30);
    expect(r.refused.other).toBe(0);
    expect(r.refused.duplicate + r.refused.stale).toBe(1_500);
    expect(r.counted.duplicate).toBeGreaterThanOrEqual(r.refused.duplicate);
    expect(r.counted.stale).toBeGreaterThanOrEqual(r.refused.stale);
    expect(r.roundsDuringStorm).toBeGreaterThan(0);
  });
});
