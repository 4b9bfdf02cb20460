#!/usr/bin/env -S node --initial-old-space-size=256
// The flag is SHARDGRAD_NODE_FLAGS (src/launch/bin.ts): why it is there, and what child processes get.
// Runs the TypeScript sources directly through tsx: no build step between a checkout and a cluster.
import { register } from 'tsx/esm/api';

register();
await import('../src/main.ts');
