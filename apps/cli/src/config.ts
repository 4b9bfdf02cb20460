import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { Option, type Command } from 'commander';
import { parse as parseYaml } from 'yaml';
import { UsageError } from './output.ts';
import { type SettingValue, badValue, envUses, fileUses, isMapping, isRepeatable } from './config-values.ts';

/**
 * Where settings come from, strongest first: flags, SHARDGRAD_* variables (then torchrun's
 * MASTER_ADDR, MASTER_PORT, RANK, WORLD_SIZE), the `--config` file, the built-in defaults. Every
 * value, whatever its source, goes through the flag's own parser, so a bad one is reported the same way.
 */

type Settings = Record<string, SettingValue>;

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

/** One value for one option, from the file or a variable, not yet parsed. */
interface Pending {
  option: Option;
  value: SettingValue;
  source: 'config' | 'env';
  where: string;
  negated: boolean;
}

/**
 * A program hook, run before a command parses its flags: fills options from the config file and the
 * torchrun variables with sources that commander lets flags and SHARDGRAD_* variables override.
 * --json goes first, from the variables before the file is even read: a failure of any other
 * setting, or of the file, is then reported in the form the user asked for.
 */
export function applyConfigSources(program: Command, cmd: Command, argv = process.argv, env = process.env): void {
  const isJson = (p: Pending) => p.option.attributeName() === 'json';
  const fromEnv = envSettings(cmd, env);
  for (const p of fromEnv.filter(isJson)) set(cmd, p);
  const file = configPath(argv, env);
  if (file) {
    const fromFile = fileSettings(file, program, cmd);
    for (const p of [...fromFile.filter(isJson), ...fromFile.filter((p) => !isJson(p))]) set(cmd, p);
  }
  for (const p of fromEnv.filter((p) => !isJson(p))) set(cmd, p);
}

function fileSettings(file: string, program: Command, cmd: Command): Pending[] {
  const out: Pending[] = [];
  for (const [key, value] of Object.entries(readSettings(file, cmd.name(), program.commands))) {
    const option = findOption(cmd, key);
    // `dashboard: false` sets what --no-dashboard sets; `no-dashboard: true` says the same the other way.
    if (option) out.push({ option, value, source: 'config', where: `${file}: ${key}`, negated: option.negate && key !== option.attributeName() });
  }
  return out;
}

/** Commander only reads variables given before an option is added, so the SHARDGRAD_* ones are read here. */
function envSettings(cmd: Command, env: NodeJS.ProcessEnv): Pending[] {
  const out: Pending[] = [];
  for (const option of cmd.options) {
    if (option.long === '--config') continue;
    const own = option.envVar ? env[option.envVar] : undefined;
    if (own !== undefined) {
      out.push({ option, value: own, source: 'env', where: `environment variable ${option.envVar}`, negated: option.negate });
      continue;
    }
    const alias = TORCHRUN[option.attributeName()]?.(env);
    if (alias !== undefined) {
      out.push({ option, value: alias, source: 'env', where: `environment variable ${TORCHRUN_VARIABLES[option.attributeName()]} (torchrun's, for --${option.name()})`, negated: option.negate });
    }
  }
  return out;
}

function configPath(argv: string[], env: NodeJS.ProcessEnv): string | undefined {
  const i = argv.findIndex((a) => a === '--config' || a.startsWith('--config='));
  if (i >= 0) return argv[i]!.includes('=') ? argv[i]!.slice('--config='.length) : argv[i + 1];
  return env.SHARDGRAD_CONFIG || undefined;
}

/**
 * Reads and checks a settings file; names that no command knows are typos, and are refused. A file
 * with nothing in it (JSON or YAML alike) sets nothing.
 */
export function readSettings(file: string, command: string, commands: readonly Command[]): Settings {
  let raw: unknown;
  try {
    const text = readFileSync(file, 'utf8');
    raw = text.trim() === '' ? undefined : ['.yaml', '.yml'].includes(extname(file).toLowerCase()) ? parseYaml(text) : JSON.parse(text);
  } catch (e) {
    throw new UsageError(`cannot read the config file ${file}: ${(e as Error).message}`);
  }
  if (raw === null || raw === undefined) return {};
  const refuse = (why: string) => new UsageError(`config file ${file}: ${why}`);
  if (!isMapping(raw)) throw refuse(`expected settings by name (such as batch: 64), got ${Array.isArray(raw) ? 'a list' : `the single value ${JSON.stringify(raw)}`}`);
  const names = new Set(commands.map((c) => c.name()));
  const check = (where: string, v: unknown, option: Option) => {
    const why = badValue(v, isRepeatable(option));
    if (why) throw refuse(`${where} ${why}`);
  };
  const settings: Settings = {};
  for (const [key, v] of Object.entries(raw)) {
    if (names.has(key)) {
      if (!isMapping(v)) throw refuse(`"${key}" must be a section of settings for \`${key}\``);
      const sub = commands.find((c) => c.name() === key)!;
      for (const [k, x] of Object.entries(v)) {
        const option = findOption(sub, k);
        if (!option) throw refuse(`\`${key}\` has no setting "${k}" (it has: ${settingNames(sub)})`);
        check(`${key}: ${k}`, x, option);
      }
      continue;
    }
    const options = commands.map((c) => findOption(c, key)).filter((o) => o !== undefined);
    if (options.length === 0) {
      throw refuse(isMapping(v) ? `"${key}" is not a command; sections are named after commands (${[...names].join(', ')})` : `unknown setting "${key}"`);
    }
    // A setting shared by commands is checked as the first that has it takes it (they take it alike).
    check(key, v, options[0]!);
    settings[key] = v as SettingValue;
  }
  // A command's own section wins over the shared top level.
  const own = raw[command];
  if (isMapping(own)) Object.assign(settings, own);
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

/** A switch variable's value as on or off; undefined when unset or not a switch word. */
export const envSwitch = (v: string | undefined): boolean | undefined => (v === undefined ? undefined : SWITCH_WORDS[v.trim().toLowerCase()]);

/** `negated`: the value says whether the --no-… switch is given, not the attribute's value. */
function set(cmd: Command, { option: o, value: v, source, where, negated }: Pending): void {
  const current = cmd.getOptionValueSource(o.attributeName());
  if (current === 'cli' || (source === 'config' && current === 'env')) return;
  let parsed: unknown;
  if (!o.required && !o.optional) {
    const on = typeof v === 'boolean' ? v : source === 'env' ? envSwitch(String(v)) : undefined;
    if (on === undefined) throw new UsageError(`${where}: --${o.name()} is a switch; use true or false`);
    parsed = negated ? !on : on;
  } else {
    const uses = usesOf(o, v, source, where);
    if (uses.length === 0) return;
    try {
      // Each use as the flag given once more: a repeatable flag's parser folds it into the ones before.
      parsed = uses.reduce<unknown>((previous, use) => (o.parseArg ? o.parseArg(use, previous) : use), undefined);
    } catch (e) {
      throw new UsageError(`${where}: ${(e as Error).message}`);
    }
  }
  cmd.setOptionValueWithSource(o.attributeName(), parsed, source);
}

/** The flag uses a value stands for: one, a list joined by commas, or one per item of a repeatable flag. */
function usesOf(o: Option, v: SettingValue, source: 'config' | 'env', where: string): string[] {
  if (!isRepeatable(o)) return [Array.isArray(v) ? v.join(',') : String(v)];
  if (source === 'config') return fileUses(v);
  const uses = envUses(String(v), o.envVar ?? 'the variable');
  if (!Array.isArray(uses)) throw new UsageError(`${where}: ${uses.ambiguous}`);
  return uses;
}
