import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SHARDGRAD_BIN, SHARDGRAD_NODE_FLAGS, shardgradArgv } from './bin.ts';

describe('the flags every shardgrad process starts with', () => {
  it('are the same in the bin\'s shebang (npx, containers) and for the processes shardgrad starts', () => {
    const shebang = readFileSync(SHARDGRAD_BIN, 'utf8').split('\n')[0]!;
    expect(shebang).toBe(`#!/usr/bin/env -S node ${SHARDGRAD_NODE_FLAGS.join(' ')}`);
    expect(shardgradArgv('worker', '--json')).toEqual([...SHARDGRAD_NODE_FLAGS, SHARDGRAD_BIN, 'worker', '--json']);
  });

  it('are accepted by this node (a misspelt flag stops node with "bad option")', () => {
    const run = spawnSync(process.execPath, [...SHARDGRAD_NODE_FLAGS, '-e', 'process.stdout.write("ok")'], { encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toBe('ok');
    expect(spawnSync(process.execPath, ['--initial-old-space-siz=256', '-e', '0'], { encoding: 'utf8' }).status).not.toBe(0);
  });
});
