import { fileURLToPath } from 'node:url';

/** This CLI's own entry point: launched processes run the same checkout, through the same tsx loader. */
export const SHARDGRAD_BIN = fileURLToPath(new URL('../../bin/shardgrad.mjs', import.meta.url));
