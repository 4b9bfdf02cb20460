/**
 * The attack table: MNIST-MLP on a real coordinator with 5 workers over sockets, 1 of them
 * Byzantine (20%), for every aggregator against every attack. Prints a Markdown table and writes
 * the rows as JSON. Long (tens of minutes on 2 cores): a bench, not a test.
 *
 *   npx tsx test/attacks/attack-table.ts [--steps 300] [--batch 64] [--seed 2] [--out attack-table.json]
 *       [--aggregators mean,median] [--attacks none,sign-flip]
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { AGGREGATOR_NAMES, type AggregatorName } from '@shardgrad/trainer';
import { ATTACKS, runAttack, type Attack, type AttackOutcome } from './attack-harness.ts';

const { values } = parseArgs({
  options: {
    steps: { type: 'string', default: '300' },
    batch: { type: 'string', default: '64' },
    seed: { type: 'string', default: '2' },
    out: { type: 'string', default: 'attack-table.json' },
    aggregators: { type: 'string', default: AGGREGATOR_NAMES.join(',') },
    attacks: { type: 'string', default: ATTACKS.join(',') },
  },
});
const aggregators = values.aggregators!.split(',') as AggregatorName[];
const attacks = values.attacks!.split(',') as Attack[];
const rows: AttackOutcome[] = [];
for (const attack of attacks) {
  for (const aggregator of aggregators) {
    const r = await runAttack({ aggregator, attack, workers: 5, malicious: 1, steps: Number(values.steps), batch: Number(values.batch), seed: Number(values.seed) });
    rows.push(r);
    process.stderr.write(`${attack.padEnd(10)} ${aggregator.padEnd(13)} test accuracy ${(r.testAccuracy * 100).toFixed(2)}%  (${r.seconds.toFixed(0)} s)\n`);
    writeFileSync(values.out!, JSON.stringify(rows, null, 2));
  }
}
const clean = rows.find((r) => r.attack === 'none' && r.aggregator === 'mean')?.testAccuracy;
const cell = (r: AttackOutcome | undefined) => {
  if (!r) return '–';
  const gap = clean === undefined ? '' : ` (${((r.testAccuracy - clean) * 100).toFixed(1)} pp)`;
  return `${(r.testAccuracy * 100).toFixed(1)}%${r.attack === 'none' && r.aggregator === 'mean' ? '' : gap}`;
};
console.log(`\nMNIST-MLP, 5 workers (1 Byzantine = 20%), ${values.steps} steps of batch ${values.batch}, seed ${values.seed}; test accuracy (gap to the clean mean)\n`);
console.log(`| attack | ${aggregators.join(' | ')} |`);
console.log(`|---|${aggregators.map(() => '---').join('|')}|`);
for (const attack of attacks) console.log(`| ${attack} | ${aggregators.map((a) => cell(rows.find((r) => r.attack === attack && r.aggregator === a))).join(' | ')} |`);
process.exit(0);
