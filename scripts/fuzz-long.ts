/**
 * The fuzz properties of test/fuzz at a larger scale, with a fresh random seed each run (printed, so
 * a failure can be replayed): `npx tsx scripts/fuzz-long.ts [multiplier=20] [seed]`.
 */
import fc from 'fast-check';
import { MAX_MS_PER_MESSAGE, fuzzProperties, prototypeFingerprint, slowest } from '../test/fuzz/properties.ts';

const multiplier = Number(process.argv[2] ?? 20);
const seed = Number(process.argv[3] ?? Date.now() % 2 ** 31);
const before = prototypeFingerprint();
let total = 0;
let failed = false;
console.log(`fuzz-long: seed ${seed}, ${multiplier}× the CI cases`);
for (const p of fuzzProperties()) {
  const runs = p.runs * multiplier;
  const t0 = performance.now();
  const r = fc.check(p.property, { numRuns: runs, seed });
  total += r.numRuns;
  const slow = slowest.get(p.name) ?? 0;
  const ok = !r.failed && slow < MAX_MS_PER_MESSAGE && prototypeFingerprint() === before;
  failed ||= !ok;
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${p.name}: ${r.numRuns} cases in ${((performance.now() - t0) / 1000).toFixed(1)} s, slowest ${slow.toFixed(2)} ms${r.failed ? `\n${fc.defaultReportMessage(r)}` : ''}`);
}
console.log(`${total} cases; Object.prototype ${prototypeFingerprint() === before ? 'untouched' : 'CHANGED'}`);
process.exit(failed ? 1 : 0);
