import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  AugmentConfigError,
  formatAugmentConfig,
  isNoAugment,
  parseAugmentConfig,
  validateAugmentConfig,
  type AugmentConfig,
} from './augment-config.ts';

describe('parseAugmentConfig', () => {
  it('parses the documented example', () => {
    expect(parseAugmentConfig('crop=4,flip,rotate=10,translate=2,scale=0.1,noise=0.05')).toEqual({
      crop: 4,
      flip: true,
      rotate: 10,
      translate: 2,
      scale: 0.1,
      noise: 0.05,
    });
  });

  it('tolerates spaces and takes explicit flip values', () => {
    expect(parseAugmentConfig(' flip = false , noise= 0.1 ')).toEqual({ flip: false, noise: 0.1 });
    expect(parseAugmentConfig('flip=1')).toEqual({ flip: true });
  });

  it('reads "" and "none" as no augmentation', () => {
    expect(parseAugmentConfig('')).toEqual({});
    expect(parseAugmentConfig('none')).toEqual({});
  });

  const bad: [string, RegExp][] = [
    ['blur=2', /unknown option "blur"; known options: crop, flip, translate, scale, rotate, noise/],
    ['crop', /"crop" needs a value \(pad pixels/],
    ['crop=', /"crop" needs a value/],
    ['crop=1.5', /bad value "1.5" for "crop"/],
    ['crop=-1', /bad value "-1" for "crop"/],
    ['translate=two', /bad value "two" for "translate"/],
    ['scale=1', /bad value "1" for "scale".*\[0, 1\)/],
    ['rotate=200', /bad value "200" for "rotate"/],
    ['noise=Infinity', /bad value "Infinity" for "noise"/],
    ['noise=NaN', /bad value "NaN" for "noise"/],
    ['flip=maybe', /"flip" takes no value or true\/false/],
    ['flip,flip', /"flip" given twice/],
    ['crop=4,,flip', /empty option/],
  ];
  it.each(bad)('rejects %j clearly', (text, msg) => {
    expect(() => parseAugmentConfig(text)).toThrow(AugmentConfigError);
    expect(() => parseAugmentConfig(text)).toThrow(msg);
  });
});

describe('validateAugmentConfig', () => {
  it('applies the parser rules to configs built in code', () => {
    expect(() => validateAugmentConfig({ scale: 2 })).toThrow(/scale/);
    expect(() => validateAugmentConfig({ blur: 1 } as AugmentConfig)).toThrow(/unknown option "blur"/);
    expect(validateAugmentConfig({ crop: 2 })).toEqual({ crop: 2 });
  });
});

describe('formatAugmentConfig', () => {
  it('writes a canonical order and "none" for nothing', () => {
    expect(formatAugmentConfig({ noise: 0.05, flip: true, crop: 4 })).toBe('crop=4,flip,noise=0.05');
    expect(formatAugmentConfig({ flip: false })).toBe('none');
  });

  it('round-trips through the parser (property)', () => {
    const config = fc.record(
      {
        crop: fc.integer({ min: 1, max: 16 }),
        flip: fc.constant(true),
        translate: fc.integer({ min: 1, max: 16 }),
        scale: fc.double({ min: 0, max: 0.99, noNaN: true }),
        rotate: fc.double({ min: 0, max: 180, noNaN: true }),
        noise: fc.double({ min: 0, max: 1, noNaN: true }),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(config, (c) => {
        expect(parseAugmentConfig(formatAugmentConfig(c))).toEqual(c);
      }),
    );
  });
});

it('isNoAugment treats zero values and flip=false as off', () => {
  expect(isNoAugment({ crop: 0, flip: false, noise: 0 })).toBe(true);
  expect(isNoAugment({ rotate: 1 })).toBe(false);
});
