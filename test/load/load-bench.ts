/**
 * Load bench: `npx tsx test/load/load-bench.ts [clients=200] [junk=10000]`. Prints one JSON line
 * with the refusals, the rounds completed during the storm, the coordinator process's memory and
 * its event-loop lag (the clients run in the same process, so the figures are an upper bound).
 */
import { runLoad } from './load-harness.ts';

const clients = Number(process.argv[2] ?? 200);
const junk = Number(process.argv[3] ?? 10_000);
const r = await runLoad({ clients, junk });
console.log(JSON.stringify(r));
console.log(
  `${r.joined}/${clients} clients joined; ${r.refused.duplicate} duplicates and ${r.refused.stale} stale results refused ` +
    `(${r.refused.other} other), ${r.roundsDuringStorm} rounds completed meanwhile in ${r.seconds.toFixed(1)} s; ` +
    `rss ${r.memory.rssMB.toFixed(0)} MB (+${r.memory.rssGrowthMB.toFixed(0)}), heap ${r.memory.heapUsedMB.toFixed(0)} MB; ` +
    `event-loop lag p50 ${r.eventLoopLagMs.p50.toFixed(1)} ms, p99 ${r.eventLoopLagMs.p99.toFixed(1)} ms, max ${r.eventLoopLagMs.max.toFixed(1)} ms`,
);
process.exit(0);
