import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command, Option } from 'commander';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { applyConfigSources, withConfig } from './config.ts';
import { positiveInt } from './parse.ts';
import { keyValue } from './training-flags.ts';

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
  const train = new Command('train')
    .option('--batch <n>', 'batch', positiveInt, 64)
    .option('--json', 'json')
    .addOption(new Option('--set <key=value>', 'any model option, repeatable').argParser(keyValue))
    .action((o) => void (got = o));
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

  it('gives a repeatable flag one use per item of a list, and key=value uses for a mapping', async () => {
    expect((await run(['train', '--config', file('list.yaml', 'set: [filters=4, dense=8]\n')])).set).toEqual({ filters: 4, dense: 8 });
    const mapping = file('map.yaml', 'set:\n  filters: 32\n  stage: finetune\n  classes: [0, 1]\n');
    expect((await run(['train', '--config', mapping])).set).toEqual({ filters: 32, stage: 'finetune', classes: [0, 1] });
    expect((await run(['train', '--config', file('sect-map.json', '{"train": {"set": {"filters": 2}}}')])).set).toEqual({ filters: 2 });
    await expect(run(['train', '--config', file('batch-map.yaml', 'batch: {a: 1}\n')])).rejects.toThrow(/batch is a mapping, but this setting takes one value/);
  });

  it('reads several uses of a repeatable flag from a variable one a line, and refuses a line that may be one or several', async () => {
    vi.stubEnv('SHARDGRAD_SET', 'filters=4\ndense=8\n');
    expect((await run(['train'])).set).toEqual({ filters: 4, dense: 8 });
    vi.stubEnv('SHARDGRAD_SET', 'classes=[0,1]');
    expect((await run(['train'])).set).toEqual({ classes: [0, 1] });
    // A newline after it says a comma-and-equals value is one value.
    vi.stubEnv('SHARDGRAD_SET', 'augment=crop=2,translate=3\n');
    expect((await run(['train'])).set).toEqual({ augment: 'crop=2,translate=3' });
    vi.stubEnv('SHARDGRAD_SET', 'filters=4,dense=8');
    await expect(run(['train'])).rejects.toThrow(/SHARDGRAD_SET: "filters=4,dense=8" may be one value or several.*SHARDGRAD_SET=\$'filters=4\\ndense=8'/);
  });

  it('says what is wrong with a value that is null, not a number or infinite', async () => {
    await expect(run(['train', '--config', file('null.yaml', 'batch: null\n')])).rejects.toThrow(/null\.yaml: batch has no value \(null\)/);
    await expect(run(['train', '--config', file('nan.yaml', 'batch: .nan\n')])).rejects.toThrow(/nan\.yaml: batch is not a number \(NaN\)/);
    await expect(run(['train', '--config', file('inf.json', '{"batch": 1e400}')])).rejects.toThrow(/inf\.json: batch is infinity \(\.inf, or a number too large, such as 1e400\)/);
    await expect(run(['train', '--config', file('null-item.yaml', 'train:\n  set: [a=1, null]\n')])).rejects.toThrow(/train: set item 2 of the list has no value/);
    await expect(run(['train', '--config', file('list.json', '[1, 2]')])).rejects.toThrow(/list\.json: expected settings by name \(such as batch: 64\), got a list/);
  });

  it('takes an empty file as no settings, JSON and YAML alike', async () => {
    for (const name of ['empty.json', 'empty.yaml', 'blank.json']) {
      expect((await run(['train', '--config', file(name, name === 'blank.json' ? ' \n' : '')])).batch, name).toBe(64);
    }
  });

  it('resolves --json before any other setting, so a failure of one is reported as JSON if asked', async () => {
    const json = async (args: string[]) => {
      const program = new Command('shardgrad').exitOverride();
      const train = withConfig(new Command('train').option('--batch <n>', 'batch', positiveInt, 64).option('--json', 'json').action(() => undefined)).exitOverride();
      program.addCommand(train);
      program.hook('preSubcommand', (_p, sub) => applyConfigSources(program, sub, ['node', 'shardgrad', ...args]));
      await expect(program.parseAsync(args, { from: 'user' })).rejects.toThrow();
      return train.opts().json;
    };
    vi.stubEnv('SHARDGRAD_JSON', '1');
    vi.stubEnv('SHARDGRAD_BATCH', 'abc');
    expect(await json(['train'])).toBe(true);
    vi.unstubAllEnvs();
    vi.stubEnv('SHARDGRAD_JSON', '1');
    expect(await json(['train', '--config', file('typo2.yaml', 'bacth: 3\n')])).toBe(true);
    vi.unstubAllEnvs();
    expect(await json(['train', '--config', file('late-json.yaml', 'batch: -3\njson: true\n')])).toBe(true);
  });
});
