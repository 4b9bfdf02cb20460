import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { Option, type Command } from 'commander';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { UsageError } from './output.ts';

/**
 * Where settings come from, strongest first: flags, SHARDGRAD_* variables (then torchrun's
 * MASTER_ADDR, MASTER_PORT, RANK, WORLD_SIZE), the `--config` file, the built-in defaults. Every
 * value, whatever its source, goes through the flag's own parser, so a bad one is reported the same way.
 */

const scalar = z.union([z.string(), z.number().finite(), z.boolean()]);
const value = z.union([scalar, z.array(z.union([z.string(), z.number().finite()]))]);
/** Top-level settings apply to every command that has them; a section named after a command only to it. */
const fileSchema = z.record(z.string(), z.union([value, z.record(z.string(), value)]));
type Settings = Record<string, z.infer<typeof value>>;

/** The torchrun variables each alias reads, for messages that name them. */
const TORCHRUN_VARIABLES: Record<string, string> = { port: 'MASTER_PORT', minWorkers: 'WORLD_SIZE', url: 'MASTER_ADDR and MASTER_PORT', nickname: 'RANK' };

/** torchrun's names for what shardgrad calls by its own: option attribute → how to read it. */
const TORCHRUN: Record<string, (env: NodeJS.ProcessEnv) => string | undefined> = {
  port: (env) => env.MASTER_PORT,
  minWorkers: (env) => env.WORLD_SIZE,
  url: (env) => (env.MASTER_ADDR ? `http://${env.MASTER_ADDR}:${env.MASTER_PORT ?? '8080'}` : undefined),
  nickname: (env) => (env.RANK !== undefined ? `rank-${env.RANK}` : undefined),
};

/** --min-workers → SHARDGRAD_MIN_WORKERS; --no-dashboard → SHARDGRAD_NO_DASHBOARD (set means "no"). */
const envName = (o: Option) => `SHARDGRAD_${o.negate ? 'NO_' : ''}${o.attributeName().replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}`;

/** Gives each option its SHARDGRAD_* variable and the command a `--config` flag. */
export function withConfig(cmd: Command): Command {
  for (const o of cmd.options) {
    if (!o.long || o.long === '--config' || o.envVar) continue;
    o.env(envName(o));
  }
  if (!cmd.options.some((o) => o.long === '--config')) {
    cmd.addOption(new Option('--config <file>', 'settings file (JSON or YAML); flags and environment variables win over it').env('SHARDGRAD_CONFIG'));
  }
  return cmd;
}

/**
 * A program hook, run before a command parses its flags: fills options from the config file and the
 * torchrun variables with sources that commander lets flags and SHARDGRAD_* variables override.
 */
export function applyConfigSources(program: Command, cmd: Command, argv = process.argv, env = process.env): void {
  const file = configPath(argv, env);
  if (file) {
    const settings = readSettings(file, cmd.name(), program.commands);
    for (const [key, v] of Object.entries(settings)) {
      const opt = findOption(cmd, key);
      // `dashboard: false` sets what --no-dashboard sets; `no-dashboard: true` says the same the other way.
      if (opt) set(cmd, opt, v, 'config', `${file}: ${key}`, opt.negate && key !== opt.attributeName());
    }
  }
  // Commander only reads variables given before an option is added, so the SHARDGRAD_* ones are read here.
  for (const o of cmd.options) {
    if (o.long === '--config') continue;
    const own = o.envVar ? env[o.envVar] : undefined;
    if (own !== undefined) {
      set(cmd, o, own, 'env', `environment variable ${o.envVar}`, o.negate);
      continue;
    }
    const alias = TORCHRUN[o.attributeName()]?.(env);
    if (alias !== undefined) set(cmd, o, alias, 'env', `environment variable ${TORCHRUN_VARIABLES[o.attributeName()]} (torchrun's, for --${o.name()})`, o.negate);
  }
}

function configPath(argv: string[], env: NodeJS.ProcessEnv): string | undefined {
  const i = argv.findIndex((a) => a === '--config' || a.startsWith('--config='));
  if (i >= 0) return argv[i]!.includes('=') ? argv[i]!.slice('--config='.length) : argv[i + 1];
  return env.SHARDGRAD_CONFIG || undefined;
}

/** Reads and checks a settings file; names that no command knows are typos, and are refused. */
export function readSettings(file: string, command: string, commands: readonly Command[]): Settings {
  let raw: unknown;
  try {
    const text = readFileSync(file, 'utf8');
    raw = ['.yaml', '.yml'].includes(extname(file).toLowerCase()) ? parseYaml(text) : JSON.parse(text);
  } catch (e) {
    throw new UsageError(`cannot read the config file ${file}: ${(e as Error).message}`);
  }
  if (raw === null || raw === undefined) return {};
  const parsed = fileSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new UsageError(`config file ${file}: ${issue.path.join('.') || '(top level)'}: ${issue.message}`);
  }
  const names = new Set(commands.map((c) => c.name()));
  const known = (c: Command, key: string) => findOption(c, key) !== undefined;
  const settings: Settings = {};
  for (const [key, v] of Object.entries(parsed.data)) {
    if (names.has(key)) {
      if (typeof v !== 'object' || Array.isArray(v)) throw new UsageError(`config file ${file}: "${key}" must be a section of settings for \`${key}\``);
      const sub = commands.find((c) => c.name() === key)!;
      for (const k of Object.keys(v)) {
        if (!known(sub, k)) throw new UsageError(`config file ${file}: \`${key}\` has no setting "${k}" (it has: ${settingNames(sub)})`);
      }
    } else if (typeof v === 'object' && !Array.isArray(v)) {
      throw new UsageError(`config file ${file}: "${key}" is not a command; sections are named after commands (${[...names].join(', ')})`);
    } else if (!commands.some((c) => known(c, key))) {
      throw new UsageError(`config file ${file}: unknown setting "${key}"`);
    } else {
      settings[key] = v;
    }
  }
  // A command's own section wins over the shared top level.
  const own = parsed.data[command];
  if (own && typeof own === 'object' && !Array.isArray(own)) Object.assign(settings, own);
  return settings;
}

function settingNames(cmd: Command): string {
  return cmd.options.filter((o) => o.long && o.long !== '--config' && o.long !== '--help').map((o) => o.name()).join(', ');
}

/** `minWorkers` and `min-workers` both name --min-workers. */
function findOption(cmd: Command, key: string): Option | undefined {
  return cmd.options.find((o) => o.long && o.long !== '--config' && (o.attributeName() === key || o.name() === key));
}

/** How a variable can say a switch is on or off (SHARDGRAD_JSON=1, SHARDGRAD_NO_DASHBOARD=true). */
const SWITCH_WORDS: Record<string, boolean> = { '': true, '1': true, true: true, yes: true, on: true, '0': false, false: false, no: false, off: false };

/** `negated`: the value says whether the --no-… switch is given, not the attribute's value. */
function set(cmd: Command, o: Option, v: z.infer<typeof value>, source: 'config' | 'env', where: string, negated: boolean): void {
  const current = cmd.getOptionValueSource(o.attributeName());
  if (current === 'cli' || (source === 'config' && current === 'env')) return;
  let parsed: unknown;
  if (!o.required && !o.optional) {
    const on = typeof v === 'boolean' ? v : source === 'env' ? SWITCH_WORDS[String(v).trim().toLowerCase()] : undefined;
    if (on === undefined) throw new UsageError(`${where}: --${o.name()} is a switch; use true or false`);
    parsed = negated ? !on : on;
  } else {
    const text = Array.isArray(v) ? v.join(',') : String(v);
    try {
      parsed = o.parseArg ? o.parseArg(text, undefined as unknown) : text;
    } catch (e) {
      throw new UsageError(`${where}: ${(e as Error).message}`);
    }
  }
  cmd.setOptionValueWithSource(o.attributeName(), parsed, source);
}
