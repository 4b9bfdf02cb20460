import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from './deploy-files.ts';

// The folder scripts/build-cli-bundle.sh makes for a machine with a node binary and nothing else:
// unpacked outside the checkout, where no node_modules of ours can be found, it must still train.
describe('shardgrad bundled as one folder', () => {
  const dir = mkdtempSync(join(tmpdir(), 'shardgrad-bundle-'));
  const app = join(dir, 'app');
  const train = (...args: string[]) => {
    const run = spawnSync(process.execPath, ['--initial-old-space-size=256', join(app, 'apps/bin/shardgrad.mjs'), 'train', '--json', '--out', join(dir, 'runs'), ...args], { cwd: dir, encoding: 'utf8', timeout: 180_000 });
    expect(run.status, run.stderr).toBe(0);
    type Summary = { type: string; reason: string; testAccuracy: number; workers: number };
    return run.stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Summary).find((e) => e.type === 'summary');
  };

  beforeAll(() => {
    const build = spawnSync('bash', [join(ROOT, 'scripts/build-cli-bundle.sh'), dir], { cwd: ROOT, encoding: 'utf8', timeout: 300_000 });
    expect(build.status, build.stderr).toBe(0);
    mkdirSync(app);
    const unpack = spawnSync('tar', ['-xJf', join(dir, 'cli.tar.xz'), '-C', app], { encoding: 'utf8' });
    expect(unpack.status, unpack.stderr).toBe(0);
  }, 320_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('trains the seed model with worker processes and with worker threads', () => {
    for (const how of ['processes', 'threads']) {
      const summary = train('--steps', '30', '--workers', '2', '--local-workers', how);
      expect(summary).toMatchObject({ reason: 'completed', workers: 2 });
      // Thirty steps of the seed MLP reach ~80% on MNIST; an untrained one is at 10%.
      expect(summary?.testAccuracy).toBeGreaterThan(0.5);
    }
  }, 200_000);

  it('trains the models whose data come from other packages: regression (vega-datasets) and word2vec (the SOTU speeches)', () => {
    for (const model of ['regression', 'word2vec']) {
      expect(train('--model', model, '--steps', '5', '--workers', '1'), model).toMatchObject({ reason: 'completed', workers: 1 });
    }
  }, 120_000);
});
