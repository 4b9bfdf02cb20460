import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_MS_PER_MESSAGE, fuzzProperties, prototypeFingerprint, slowest } from './properties.ts';

/**
 * Property-based fuzzing of everything that parses what an untrusted peer sends: the tensor decoder,
 * the message schemas, the result validator and the checkpoint reader. ≥ 100k cases in all here;
 * `npx tsx scripts/fuzz-long.ts` runs many more. Each must only ever return or throw its own error
 * type, never touch Object.prototype, and take a bounded time per message.
 */
describe('fuzzing the decoders and schemas', () => {
  const before = prototypeFingerprint();
  const props = fuzzProperties();

  it('covers at least 100k cases', () => {
    expect(props.reduce((s, p) => s + p.runs, 0)).toBeGreaterThanOrEqual(100_000);
  });

  for (const p of props) {
    it(`${p.name}: ${p.runs} cases, only its own errors, prototypes untouched, bounded time`, () => {
      fc.assert(p.property, { numRuns: p.runs, seed: 20261125 });
      expect(prototypeFingerprint()).toBe(before);
      expect(slowest.get(p.name) ?? 0).toBeLessThan(MAX_MS_PER_MESSAGE);
    });
  }
});
