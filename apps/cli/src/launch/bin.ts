import { fileURLToPath } from 'node:url';

/** This CLI's own entry point: launched processes run the same checkout, through the same tsx loader. */
export const SHARDGRAD_BIN = fileURLToPath(new URL('../../bin/shardgrad.mjs', import.meta.url));

/**
 * V8 flags for every shardgrad process (bin/shardgrad.mjs's shebang says the same). With its default
 * limit V8 sets the old generation ~10 MB above the live heap (~65 MB: tfjs's sources alone are
 * 30 MB), which is less than the young generation, so it starts marking again as soon as a full GC
 * ends: a coordinator at batch 256 ran 78 full GCs in a 2-minute bench, 4 with this flag, and two
 * MLP workers went from 11,552 to 16,392 samples/s.
 */
export const SHARDGRAD_NODE_FLAGS = ['--initial-old-space-size=256'];

/** The argv for `process.execPath` that runs `shardgrad <args>` as the bin would. */
export function shardgradArgv(...args: string[]): string[] {
  return [...SHARDGRAD_NODE_FLAGS, SHARDGRAD_BIN, ...args];
}
