/**
 * One gradient engine in a process of its own, timed on a signal: started by parallel-ceiling.ts,
 * it loads and warms up (for WARMUP_SECONDS unless told otherwise, see warm-clock.ts), says ready, waits for "go" on stdin (so that probes started together
 * measure the same seconds), computes shards for the given seconds and prints its time per call.
 * Each call first sets the weights, as every round of training does: fresh weight tensors cost the
 * backend more than reusing the ones it has seen.
 * Arguments: model, shard size, seconds timed, seconds of warm-up.
 */
import { createInterface } from 'node:readline';
import { initNodeBackend } from '@shardgrad/backends/node';
import { openBenchEngine } from './bench-engine.ts';
import { WARMUP_SECONDS, warmFor } from './warm-clock.ts';

const [model = 'mnist-mlp', batchArg = '64', secondsArg = '4', warmupArg = String(WARMUP_SECONDS)] = process.argv.slice(2);
const batch = Number(batchArg);
const seconds = Number(secondsArg);
await initNodeBackend('wasm');
const { engine, compute, weights } = await openBenchEngine(model, batch, 1);
const step = async (k: number) => {
  await engine.setWeights(weights);
  await compute(k);
};
let calls = await warmFor(Number(warmupArg), step);
process.stdout.write(`${JSON.stringify({ ready: true })}\n`);
const lines = createInterface({ input: process.stdin });
let go = false;
for await (const line of lines) if ((go = line.trim() === 'go')) break;
lines.close();
// stdin closed without "go": the bench that started this probe is gone, and nobody reads its figures.
if (!go) process.exit(1);
const firstTimed = calls;
const t0 = performance.now();
const until = t0 + seconds * 1000;
while (performance.now() < until) await step(calls++);
const ms = performance.now() - t0;
process.stdout.write(`${JSON.stringify({ batch, calls: calls - firstTimed, msPerCall: ms / (calls - firstTimed) })}\n`);
await engine.close();
process.exit(0);
