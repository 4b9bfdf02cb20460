import { describe, expect, it } from 'vitest';
import { checkValidationSplit } from '@shardgrad/coordinator';
import { MAX_LEARNING_RATE, httpUrl, learningRate } from './parse.ts';
import { LOCAL_WORKER_MB, MAX_LOCAL_WORKERS, localWorkersMisfit } from './local-worker-count.ts';

describe('flag parsers with limits', () => {
  it('take a learning rate up to the cap, which float32 still holds', () => {
    expect(learningRate('100')).toBe(100);
    expect(learningRate(String(MAX_LEARNING_RATE))).toBe(MAX_LEARNING_RATE);
    expect(() => learningRate('1e308')).toThrow(/expected a learning rate in \(0, 1000\], got "1e308"/);
    expect(() => learningRate('0')).toThrow(/positive number/);
  });

  it("hold local worker processes to what the machine's memory takes, and never past the cap", () => {
    const GiB = 2 ** 30;
    expect(localWorkersMisfit(2, 24 * GiB)).toBeUndefined();
    // 90% of 24 GiB in 400 MB workers.
    const fit = Math.floor((24 * 1024 * 0.9) / LOCAL_WORKER_MB);
    expect(localWorkersMisfit(fit, 24 * GiB)).toBeUndefined();
    expect(localWorkersMisfit(fit + 1, 24 * GiB)).toMatch(new RegExp(`${fit + 1} local workers need about \\d+ GiB .*this machine has 24 GiB: at most ${fit} fit here`));
    expect(localWorkersMisfit(MAX_LOCAL_WORKERS + 1, 1024 * GiB)).toMatch(/at most 256 local workers/);
    // A small machine still runs one.
    expect(localWorkersMisfit(1, 0.1 * GiB)).toBeUndefined();
  });

  it('take http(s) URLs only', () => {
    expect(httpUrl('http://class.example:8080')).toBe('http://class.example:8080');
    for (const bad of ['nope', 'ftp://class.example', '']) expect(() => httpUrl(bad), bad).toThrow(/expected an http:\/\/ or https:\/\/ URL/);
  });
});

describe('a validation split against the rows it splits', () => {
  it('needs a row on each side', () => {
    expect(() => checkValidationSplit({ validationSplit: 0.1 }, 8500)).not.toThrow();
    expect(() => checkValidationSplit({}, 1)).not.toThrow();
    expect(() => checkValidationSplit({ validationSplit: 1e-7 }, 8500)).toThrow(/leaves 0 for validation and 8500 to train/);
    expect(() => checkValidationSplit({ validationSplit: 0.9999999 }, 8500)).toThrow(/leaves 8500 for validation and 0 to train/);
  });
});
