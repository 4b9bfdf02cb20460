import { describe, expect, it } from 'vitest';
import { checkValidationSplit } from '@shardgrad/coordinator';
import { MAX_LEARNING_RATE, httpUrl, learningRate, positiveIntUpTo } from './parse.ts';

describe('flag parsers with limits', () => {
  it('take a learning rate up to the cap, which float32 still holds', () => {
    expect(learningRate('100')).toBe(100);
    expect(learningRate(String(MAX_LEARNING_RATE))).toBe(MAX_LEARNING_RATE);
    expect(() => learningRate('1e308')).toThrow(/expected a learning rate in \(0, 1000\], got "1e308"/);
    expect(() => learningRate('0')).toThrow(/positive number/);
  });

  it('cap a count with the reason', () => {
    const workers = positiveIntUpTo(256, 'local workers on this machine');
    expect(workers('256')).toBe(256);
    expect(() => workers('100000')).toThrow(/up to 256 \(local workers on this machine\), got "100000"/);
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
