import { describe, expect, it } from 'vitest';
import { runCli } from '../support/run-cli.ts';

describe('shardgrad CLI: --threads and the bench suites', () => {
  it('refuses bad --threads and --suite values with a clear message and exit code 2', async () => {
    const url = ['--url', 'http://127.0.0.1:9'];
    const cases: [string[], RegExp][] = [
      [['worker', ...url, '--threads', '0'], /--threads.*positive integer.*"0"/s],
      [['worker', ...url, '--threads', '300'], /--threads 300 is more than 256/],
      [['worker', ...url, '--threads', '2', '--backend', 'tensorflow'], /--threads 2 runs a wasm backend in each thread; --backend tensorflow cannot/],
      [['bench', '--suite', 'everything'], /--suite.*one of throughput, heterogeneous, threads/s],
      [['bench', '--suite', 'heterogeneous', '--slowdown', 'x'], /--slowdown.*positive number/s],
      [['bench', '--suite', 'clients', '--clients', '0'], /--clients.*positive integer.*"0"/s],
      [['bench', '--model', 'resnet'], /--model.*one of .*cnn, mnist-mlp.*got "resnet"/s],
      // A pipeline (phases of their own) is not plain rounds to time.
      [['bench', '--model', 'transfer'], /--model.*got "transfer"/s],
      [['bench', '--suite', 'per-core', '--model', 'cnn'], /--model applies to the throughput, .* suites; the per-core suite times fixed models/],
      [['bench', '--suite', 'all', '--batch', '128'], /--batch does not apply to --suite all: every suite runs with its own defaults/],
      [['bench', '--suite', 'all', '--local-workers', 'threads'], /--local-workers applies to the throughput suite/],
    ];
    for (const [args, message] of cases) {
      const r = await runCli(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr, args.join(' ')).toMatch(message);
    }
  });

  it('documents --threads and the suites in --help', async () => {
    expect((await runCli(['worker', '--help'])).stdout).toMatch(/--threads <n>.*worker_threads/s);
    expect((await runCli(['bench', '--help'])).stdout).toMatch(/--suite <name>.*heterogeneous.*threads.*ceiling.*clients.*coordinator.*browser.*all/s);
    expect((await runCli(['bench', '--help'])).stdout).toMatch(/--model <name>.*the model whose rounds are timed/s);
  });
});
