/** Which environment variables shardgrad's own code reads, found in its sources rather than listed by hand. */
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { SHARDGRAD_BIN } from '../../apps/cli/src/launch/bin.ts';
import { ROOT } from './deploy-files.ts';

/** Variables set in deploy/ for software other than shardgrad, each with who reads it. */
export const READ_BY_OTHERS: Readonly<Record<string, string>> = {
  TF_FORCE_GPU_ALLOW_GROWTH: 'libtensorflow (tfjs-node-gpu): allocate GPU memory as needed instead of all at start-up',
  PATH: 'the container runtime: finds the `shardgrad` bin of the workspace (node_modules/.bin)',
};

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && /\.(ts|mjs)$/.test(e.name) && !/\.spec\.ts$/.test(e.name))
    .map((e) => join(e.parentPath, e.name))
    .filter((p) => !p.includes(`${'/'}node_modules/`) && !p.includes('/dist/'));
}

/**
 * Every NAME read in the sources as `env.NAME`, `env['NAME']` or through the launcher's
 * `fromEnv('NAME', …)`; assignments (`env.NAME = …`, what a launcher hands its children) are not reads.
 */
export function envVarsReadInSources(): Map<string, string[]> {
  const reads = new Map<string, string[]>();
  // deploy/docker/healthcheck.mjs is left out: a variable must be read by the app the container runs.
  const files = [...sourceFiles(join(ROOT, 'apps')), ...sourceFiles(join(ROOT, 'libs'))];
  const pattern = /\benv\.([A-Z][A-Z0-9_]*)\b(?!\s*=[^=])|\benv\[['"]([A-Z][A-Z0-9_]*)['"]\](?!\s*=[^=])|\bfromEnv\(\s*['"]([A-Z][A-Z0-9_]*)['"]/g;
  for (const f of files) {
    for (const m of readFileSync(f, 'utf8').matchAll(pattern)) {
      const name = m[1] ?? m[2] ?? m[3]!;
      reads.set(name, [...(reads.get(name) ?? []), f.slice(ROOT.length)]);
    }
  }
  return reads;
}

/**
 * The variables a subcommand's options read, as its own --help states them (commander prints
 * "env: NAME" for each): the CLI as it is wired, not as a list here says it is.
 */
export function envVarsInHelp(subcommand: string): string[] {
  const help = execFileSync(process.execPath, [SHARDGRAD_BIN, subcommand, '--help'], { encoding: 'utf8', cwd: ROOT });
  // Help text wraps at the terminal width, so "(default: 1, env:" and the name may sit on two lines.
  return [...help.replace(/\s+/g, ' ').matchAll(/\benv: ([A-Z][A-Z0-9_]*)\)/g)].map((m) => m[1]!);
}
