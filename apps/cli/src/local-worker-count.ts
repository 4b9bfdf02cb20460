import { totalmem } from 'node:os';
import { InvalidArgumentError } from 'commander';
import { positiveInt } from './parse.ts';

/** Local workers on one machine, like `worker --threads`: 100,000 threads hung without a word. */
export const MAX_LOCAL_WORKERS = 256;

/**
 * What one local worker process holds once it trains (tfjs, wasm, the dataset): ~390-410 MB for the
 * seed's MLP on MNIST, measured with `ps` during `train`. `launch --nproc-per-node 100000` started
 * ~200 of them on a 24 GiB machine before it ran out of memory, and they outlived their launcher.
 */
export const LOCAL_WORKER_MB = 400;

/** Why `n` local worker processes cannot run here, or undefined when they fit in this machine's memory. */
export function localWorkersMisfit(n: number, memoryBytes = totalmem()): string | undefined {
  if (n > MAX_LOCAL_WORKERS) return `at most ${MAX_LOCAL_WORKERS} local workers; more join a \`coordinator\` from other machines`;
  const fit = Math.max(1, Math.floor((memoryBytes / 2 ** 20) * 0.9 / LOCAL_WORKER_MB));
  if (n > fit) return `${n} local workers need about ${((n * LOCAL_WORKER_MB) / 1024).toFixed(0)} GiB (~${LOCAL_WORKER_MB} MB each), and this machine has ${(memoryBytes / 2 ** 30).toFixed(0)} GiB: at most ${fit} fit here; more join a \`coordinator\` from other machines`;
  return undefined;
}

/** A flag's count of local worker processes: a positive integer that this machine can hold. */
export function localWorkerCount(value: string): number {
  const n = positiveInt(value);
  const misfit = localWorkersMisfit(n);
  if (misfit) throw new InvalidArgumentError(`${misfit}, got "${value}"`);
  return n;
}
