import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { applyConfigSources, withConfig } from './config.ts';
import { positiveInt } from './parse.ts';

const dir = mkdtempSync(join(tmpdir(), 'shardgrad-config-'));
const file = (name: string, text: string) => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};

/** A program shaped like the CLI: two commands, the hook, and what each action received. */
async function run(args: string[]): Promise<Record<string, unknown>> {
  let got: Record<string, unknown> = {};
  const program = new Command('shardgrad').exitOverride();
  const train = new Command('train').option('--batch <n>', 'batch', positiveInt, 64).option('--json', 'json').action((o) => void (got = o));
  const coordinator = new Command('coordinator')
    .option('--port <n>', 'port', positiveInt, 8080)
    .option('--min-workers <n>', 'workers', positiveInt, 1)
    .option('--no-dashboard', 'no dashboard')
    .action((o) => void (got = o));
  const worker = new Command('worker').option('--url <url>', 'url').option('--nickname <name>', 'name').action((o) => void (got = o));
  for (const c of [train, coordinator, worker]) program.addCommand(withConfig(c).exitOverride());
  program.hook('preSubcommand', (_p, sub) => applyConfigSources(program, sub, ['node', 'shardgrad', ...args]));
  await program.parseAsync(args, { from: 'user' });
  return got;
}

afterEach(() => vi.unstubAllEnvs());

describe('settings from flags, environment and a config file', () => {
  it('takes SHARDGRAD_* variables, and flags over them', async () => {
    vi.stubEnv('SHARDGRAD_BATCH', '128');
    expect((await run(['train'])).batch).toBe(128);
    expect((await run(['train', '--batch', '32'])).batch).toBe(32);
  });

  it('reads a YAML file; a command section beats the top level; env and flags beat the file', async () => {
    const cfg = file('a.yaml', 'batch: 16\njson: true\ntrain:\n  batch: 24\ncoordinator:\n  port: 9000\n');
    expect(await run(['train', '--config', cfg])).toMatchObject({ batch: 24, json: true });
    expect((await run(['coordinator', '--config', cfg])).port).toBe(9000);
    vi.stubEnv('SHARDGRAD_BATCH', '48');
    expect((await run(['train', '--config', cfg])).batch).toBe(48);
    expect((await run(['train', '--config', cfg, '--batch', '8'])).batch).toBe(8);
  });

  it('understands torchrun variables, below SHARDGRAD_* ones', async () => {
    vi.stubEnv('MASTER_ADDR', 'coord.local');
    vi.stubEnv('MASTER_PORT', '29500');
    vi.stubEnv('WORLD_SIZE', '4');
    vi.stubEnv('RANK', '3');
    expect(await run(['coordinator'])).toMatchObject({ port: 29500, minWorkers: 4 });
    expect(await run(['worker'])).toMatchObject({ url: 'http://coord.local:29500', nickname: 'rank-3' });
    vi.stubEnv('SHARDGRAD_PORT', '7000');
    expect((await run(['coordinator'])).port).toBe(7000);
  });

  it('names the variable of a --no-* switch after what it turns off', async () => {
    vi.stubEnv('SHARDGRAD_NO_DASHBOARD', '1');
    expect((await run(['coordinator'])).dashboard).toBe(false);
    vi.unstubAllEnvs();
    // In a file, the switch's own name and the setting's both read as they say.
    expect((await run(['coordinator', '--config', file('d1.yaml', 'dashboard: false\n')])).dashboard).toBe(false);
    expect((await run(['coordinator', '--config', file('d2.yaml', 'dashboard: true\n')])).dashboard).toBe(true);
    expect((await run(['coordinator', '--config', file('d3.yaml', 'no-dashboard: true\n')])).dashboard).toBe(false);
    vi.stubEnv('SHARDGRAD_JSON', 'off');
    expect((await run(['train'])).json).toBe(false);
    vi.stubEnv('SHARDGRAD_JSON', 'maybe');
    await expect(run(['train'])).rejects.toThrow(/SHARDGRAD_JSON: --json is a switch/);
  });

  it('refuses what it cannot use, saying where and why', async () => {
    await expect(run(['train', '--config', file('typo.json', '{"bacth": 3}')])).rejects.toThrow(/unknown setting "bacth"/);
    await expect(run(['train', '--config', file('bad.json', '{"batch": -3}')])).rejects.toThrow(/bad\.json: batch: expected a positive integer/);
    await expect(run(['train', '--config', file('sect.yaml', 'train:\n  port: 1\n')])).rejects.toThrow(/`train` has no setting "port"/);
    await expect(run(['train', '--config', file('broken.yaml', 'batch: [1,\n')])).rejects.toThrow(/cannot read the config file/);
    await expect(run(['train', '--config', join(dir, 'missing.json')])).rejects.toThrow(/cannot read the config file .*missing\.json/);
    await expect(run(['train', '--config', file('switch.json', '{"json": "yes"}')])).rejects.toThrow(/--json is a switch/);
    vi.stubEnv('SHARDGRAD_BATCH', 'lots');
    await expect(run(['train'])).rejects.toThrow(/environment variable SHARDGRAD_BATCH: expected a positive integer, got "lots"/);
    vi.stubEnv('WORLD_SIZE', 'four');
    await expect(run(['coordinator'])).rejects.toThrow(/environment variable WORLD_SIZE \(torchrun's, for --min-workers\): expected a positive integer/);
  });

  it('lets a top-level setting that only another command has pass by', async () => {
    expect((await run(['train', '--config', file('shared.json', '{"port": 9001, "batch": 5}')])).batch).toBe(5);
  });
});
