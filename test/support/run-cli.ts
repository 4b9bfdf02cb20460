import { execFile } from 'node:child_process';
import { shardgradArgv } from '../../apps/cli/src/launch/bin.ts';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
  /** stdout parsed as JSON lines (with --json). */
  lines: Record<string, unknown>[];
}

/** Runs the real `shardgrad` CLI in a child process, as a user would (the bin's node flags included). */
export function runCli(args: string[], opts: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      shardgradArgv(...args),
      { env: { ...process.env, ...opts.env }, timeout: opts.timeoutMs ?? 170_000, maxBuffer: 64 * 1024 * 1024 },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
        const lines = stdout
          .split('\n')
          .filter((l) => l.startsWith('{'))
          .map((l) => JSON.parse(l) as Record<string, unknown>);
        resolve({ code, stdout, stderr, lines });
      },
    );
  });
}
