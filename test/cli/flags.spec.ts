import { describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { createServer, type AddressInfo } from 'node:net';
import { shardgradArgv } from '../../apps/cli/src/launch/bin.ts';
import { runCli } from '../support/run-cli.ts';

const canImport = (name: string) => {
  try {
    createRequire(import.meta.url).resolve(name);
    return true;
  } catch {
    return false;
  }
};

describe('shardgrad CLI: help and bad flags', () => {
  it('shows help with examples first for every command', async () => {
    for (const cmd of ['train', 'coordinator', 'worker', 'models', 'evaluate', 'predict']) {
      const r = await runCli([cmd, '--help']);
      expect(r.code, cmd).toBe(0);
      expect(r.stdout.trimStart().startsWith('Examples:'), cmd).toBe(true);
      expect(r.stdout).toContain('--json');
    }
  });

  it('refuses bad flags with a clear message and exit code 2', async () => {
    const cases: [string[], RegExp][] = [
      [['train', '--workers', 'zero'], /--workers.*positive integer.*"zero"/s],
      [['train', '--batch', '-3'], /--batch/],
      [['train', '--lr', 'fast'], /--lr.*positive number/s],
      [['train', '--backend', 'gpu'], /--backend.*one of auto, tensorflow, wasm, cpu, webgpu/s],
      [['train', '--no-such-flag'], /unknown option '--no-such-flag'/],
      [['train', '--local-workers', 'fibers'], /--local-workers.*one of processes, threads/s],
      [['train', '--local-workers', 'threads', '--backend', 'tensorflow', '--steps', '1', '--no-dashboard'], /threads run a wasm or cpu backend each; --backend tensorflow needs --local-workers processes/],
      [['worker'], /no coordinator given/],
      [['worker', '--url', 'not a url'], /--url: expected an http:\/\/ or https:\/\/ URL .*got "not a url"/],
      [['frobnicate'], /unknown command 'frobnicate'/],
    ];
    for (const [args, message] of cases) {
      const r = await runCli(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr, args.join(' ')).toMatch(message);
    }
  });

  it('ends --json output with an error line a script can read, for bad flags and bad settings alike', async () => {
    for (const args of [['train', '--batch', '0', '--json'], ['train', '--model', 'resnet-9000', '--json']]) {
      const r = await runCli(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.lines.at(-1), args.join(' ')).toMatchObject({ type: 'error', exitCode: 2, message: expect.stringMatching(/--batch|unknown model/) });
      expect(Number.isNaN(Date.parse(String(r.lines.at(-1)!.time))), 'the error line has a time like every line').toBe(false);
    }
    // JSON asked for by the environment or a config file, not typed on the command line.
    const dir = mkdtempSync(join(tmpdir(), 'sg-json-'));
    const config = join(dir, 'shardgrad.yaml');
    writeFileSync(config, 'json: true\n');
    for (const [args, env] of [[['train', '--model', 'resnet-9000'], { SHARDGRAD_JSON: '1' }], [['train', '--model', 'resnet-9000', '--config', config], {}]] as const) {
      const r = await runCli([...args], { env });
      expect(r.code).toBe(2);
      expect(r.lines.at(-1), args.join(' ')).toMatchObject({ type: 'error', exitCode: 2, message: expect.stringMatching(/unknown model/) });
    }
    // Whichever setting fails, and in whatever order the options come: a bad file, a variable read before SHARDGRAD_JSON.
    const badConfig = join(dir, 'bad.yaml');
    writeFileSync(badConfig, 'bacth: 3\n');
    for (const [env, message] of [[{ SHARDGRAD_JSON: '1', SHARDGRAD_CONFIG: badConfig }, /unknown setting "bacth"/], [{ SHARDGRAD_JSON: '1', SHARDGRAD_BATCH: 'abc' }, /SHARDGRAD_BATCH: expected a positive integer/]] as const) {
      const r = await runCli(['train'], { env });
      expect(r.code, JSON.stringify(env)).toBe(2);
      expect(r.lines.at(-1), JSON.stringify(env)).toMatchObject({ type: 'error', exitCode: 2, message: expect.stringMatching(message) });
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('names the known models and datasets when given unknown ones', async () => {
    const model = await runCli(['train', '--model', 'resnet-9000', '--steps', '1']);
    expect(model.code).toBe(2);
    expect(model.stderr).toMatch(/unknown model "resnet-9000"; known models: .*mnist-mlp/);
    const data = await runCli(['train', '--dataset', 'imagenet', '--steps', '1']);
    expect(data.code).toBe(2);
    expect(data.stderr).toMatch(/does not train on dataset "imagenet"/);
  });

  it('gives exit code 2, as for a bad flag, to settings refused past the flag parsers', async () => {
    const busy = createServer();
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
    const busyPort = String((busy.address() as AddressInfo).port);
    const cases: [string[], RegExp][] = [
      [['coordinator', '--model', 'resnet-9000'], /unknown model "resnet-9000"/],
      [['sweep', '--model', 'resnet-9000', '--batch', '16'], /unknown model "resnet-9000"/],
      [['coordinator', '--dataset', 'imagenet'], /does not train on dataset "imagenet"/],
      [['train', '--dataset-option', 'colour=1', '--steps', '1', '--no-dashboard'], /dataset "mnist" takes no options .*got: colour/],
      [['coordinator', '--join-code', 'ab'], /join code must be 4 to 32 letters or digits/],
      [['coordinator', '--worker-token', 'short'], /worker token must be at least 16 characters/],
      [['coordinator', '--port', '70000'], /expected a port from 0 to 65535/],
      [['coordinator', '--port', busyPort], /the port is in use.*--port 0/],
      // 192.0.2.1 is TEST-NET-1 (RFC 5737): never an address of this machine.
      [['coordinator', '--host', '192.0.2.1', '--port', '0'], /192\.0\.2\.1 is not an address of this machine/],
      [['train', '--byzantine', '1', '--no-dashboard'], /the default --aggregator mean with --byzantine 1: the mean tolerates no Byzantine result/],
      [['coordinator', '--byzantine', '2', '--aggregator', 'mean', '--port', '0'], /--aggregator mean with --byzantine 2: the mean tolerates no Byzantine result/],
      [['coordinator', '--public-url', 'nope', '--port', '0'], /--public-url.*expected an http:\/\/ or https:\/\/ URL .*got "nope"/s],
      [['train', '--workers', '100000', '--local-workers', 'threads', '--no-dashboard'], /--workers.*at most 256 local workers.*got "100000"/s],
      // ~200 of these once filled a 24 GiB machine, and outlived the launch that started them.
      [['launch', '--nproc-per-node', '100000'], /--nproc-per-node.*at most 256 local workers.*got "100000"/s],
      [['launch', '--nproc-per-node', '200'], /--nproc-per-node.*200 local workers need about \d+ GiB.*got "200"/s],
      [['sweep', '--workers', '2,300'], /--workers.*at most 256 local workers.*got "2,300"/s],
      // An empty value is no value: `--resume "$RUN"` with $RUN unset must not start a new run.
      [['train', '--resume', '', '--no-dashboard'], /--resume was given an empty value/],
      [['launch', '--nproc-per-node', '1', '--join', ''], /--join was given an empty value/],
      [['coordinator', '--host', ''], /--host was given an empty value/],
      [['bench', '--out', ''], /--out was given an empty value/],
      // Refused at once, not retried for the whole --wait-timeout.
      [['worker', '--url', 'ftp://127.0.0.1:1'], /--url: expected an http:\/\/ or https:\/\/ URL .*got "ftp:\/\/127.0.0.1:1"/],
      [['worker', '--url', 'localhost:8080'], /did you mean http:\/\/localhost:8080\?/],
      // Past 2^31 ms Node fires a timer after 1 ms: the worker gave up at once.
      [['worker', '--url', 'http://127.0.0.1:1', '--wait-timeout', '99999999999999'], /--wait-timeout.*expected seconds from 0 to 2147483/s],
      [['train', '--adaptive-batch', '8', '--batch', '64', '--no-dashboard'], /--adaptive-batch 8 is below the starting batch 64/],
      [['train', '--lr', '1e308'], /--lr.*expected a learning rate in \(0, 1000\], got "1e308"/s],
      [['sweep', '--lr', '1e308'], /--lr.*expected a learning rate in \(0, 1000\]/s],
      // train refuses it too: the report would have named a batch no round used.
      [['sweep', '--batch', '64,100000', '--max-steps', '1', '--out', mkdtempSync(join(tmpdir(), 'sg-sweep-batch-'))], /--batch 100000 is more than the 8500 training rows of mnist/],
    ];
    try {
      for (const [args, message] of cases) {
        const r = await runCli(args);
        expect(r.stderr, args.join(' ')).toMatch(message);
        expect(r.stderr, args.join(' ')).not.toMatch(/at .*\.ts:\d+/);
        expect(r.code, args.join(' ')).toBe(2);
      }
    } finally {
      busy.close();
    }
  });

  it('refuses a validation split that leaves no row on one side before a run directory exists', async () => {
    const out = mkdtempSync(join(tmpdir(), 'sg-split-'));
    try {
      for (const split of ['1e-7', '0.9999999']) {
        const r = await runCli(['train', '--validation-split', split, '--steps', '1', '--no-dashboard', '--out', out]);
        expect(r.code, split).toBe(2);
        expect(r.stderr, split).toMatch(new RegExp(`validation split ${split} of \\d+ training rows leaves \\d+ for validation and \\d+ to train; both need at least one`));
      }
      const huge = await runCli(['train', '--batch', '99999999', '--steps', '1', '--no-dashboard', '--out', out]);
      expect(huge.code).toBe(2);
      expect(huge.stderr).toMatch(/--batch 99999999 is more than the \d+ training rows of mnist; for full-batch training give --batch \d+/);
      // A phased model checks each phase's split before that phase's run directory too.
      const phased = await runCli(['train', '--model', 'transfer', '--validation-split', '0.9999999', '--steps', '1', '--no-dashboard', '--out', out]);
      expect(phased.code, phased.stderr).toBe(2);
      expect(phased.stderr).toMatch(/validation split 0\.9999999 of \d+ training rows leaves/);
      expect(readdirSync(out)).toEqual([]);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });

  it('refuses a SHARDGRAD_CIFAR10_DIR without CIFAR-10 as a usage error', async () => {
    const r = await runCli(['train', '--model', 'transfer', '--set', 'stage=pretrain', '--dataset', 'cifar-10', '--steps', '1', '--no-dashboard'], { env: { SHARDGRAD_CIFAR10_DIR: '/nonexistent/cifar' } });
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/CIFAR-10 not found in \/nonexistent\/cifar \(SHARDGRAD_CIFAR10_DIR\): missing data_batch_1\.png/);
  });

  // tfjs-node cannot be installed on these machines (its install downloads libtensorflow); where it
  // is, the workers start and this case says nothing.
  it.skipIf(canImport('@tensorflow/tfjs-node') || canImport('@tensorflow/tfjs-node-gpu'))(
    'ends train with an error, not a wait for workers forever, when every local worker dies at start',
    async () => {
      const r = await runCli(['train', '--backend', 'tensorflow', '--steps', '2', '--no-dashboard', '--out', mkdtempSync(join(tmpdir(), 'sg-no-tf-'))]);
      expect(r.code).not.toBe(0);
      expect(r.stderr).toMatch(/needs @tensorflow\/tfjs-node-gpu or @tensorflow\/tfjs-node/);
      expect(r.stderr).toMatch(/every local worker exited before training finished/);
    },
  );

  it('ends quietly when its reader goes away (`| head -1`), without an EPIPE stack trace', async () => {
    const child = spawn(process.execPath, shardgradArgv('train', '--steps', '40', '--no-dashboard', '--json', '--out', mkdtempSync(join(tmpdir(), 'sg-epipe-'))), { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    // Like head: read the first line, then close the pipe while training still prints.
    await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
    child.stdout.destroy();
    const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
    expect(stderr).not.toMatch(/EPIPE|at .*\.ts:\d+/);
    expect(code).toBe(0);
  });

  it('lists the registry as JSON lines', async () => {
    const r = await runCli(['models', '--json']);
    expect(r.code).toBe(0);
    const mlp = r.lines.find((l) => l.name === 'mnist-mlp');
    expect(mlp).toMatchObject({ type: 'model', defaultDataset: 'mnist' });
    expect(mlp?.datasets).toContain('mnist');
  });
});
