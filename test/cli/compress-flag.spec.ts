import { describe, expect, it } from 'vitest';
import { runCli } from '../support/run-cli.ts';

describe('shardgrad worker --compress', () => {
  it('names the encodings in --help and refuses an unknown one with a clear message and exit code 2', async () => {
    const help = await runCli(['worker', '--help']);
    expect(help.stdout).toMatch(/--compress <mode>.*none, fp16, int8, auto/s);
    const r = await runCli(['worker', '--url', 'http://127.0.0.1:9', '--compress', 'int4']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--compress.*one of none, fp16, int8, auto, got "int4"/s);
  });
});
