import { describe, expect, it } from 'vitest';
import { runCli } from '../support/run-cli.ts';

/** Bad trust and recovery flags get a clear error and start nothing (β and token lengths: unit tests). */
describe('trust flags', () => {
  const cases: [string[], RegExp][] = [
    [['train', '--aggregator', 'krum'], /expected one of mean, trimmed-mean, median, centered-clip, norm-filter/],
    [['train', '--spot-check', '1.5'], /expected a fraction in \(0, 1\]/],
    [['train', '--aggregator', 'mean', '--byzantine', '1', '--steps', '1'], /tolerates no Byzantine/],
    [['train', '--aggregator', 'median', '--byzantine', '1', '--workers', '2', '--steps', '1', '--no-dashboard'], /needs n ≥ 2f \+ 1 results, has n = 2/],
    [['train', '--resume', '/nonexistent/run', '--steps', '1'], /no such file or directory/],
  ];
  it.each(cases)('%j fails with a clear message', async (args, message) => {
    const r = await runCli(args, { timeoutMs: 120_000 });
    expect(r.code, r.stderr).not.toBe(0);
    expect(r.stderr + r.stdout).toMatch(message);
  });
});
