import { describe, expect, it } from 'vitest';
import { checkAggregationFlags } from './aggregation-flags.ts';

describe('--aggregator, --byzantine and --trim together', () => {
  it('refuses what no number of workers makes sense of, naming the flags', () => {
    expect(() => checkAggregationFlags({ byzantine: 1 })).toThrow(/the default --aggregator mean with --byzantine 1: the mean tolerates no Byzantine result/);
    expect(() => checkAggregationFlags({ trim: 0.2 })).toThrow(/--trim 0\.2 is the trimmed mean's; it does nothing with the default --aggregator mean/);
    expect(() => checkAggregationFlags({ aggregator: 'median', trim: 0.2 })).toThrow(/nothing with --aggregator median/);
  });

  it('lets consistent settings through', () => {
    expect(() => checkAggregationFlags({})).not.toThrow();
    expect(() => checkAggregationFlags({ aggregator: 'trimmed-mean', trim: 0.2 })).not.toThrow();
    expect(() => checkAggregationFlags({ aggregator: 'median', byzantine: 1 })).not.toThrow();
  });
});
