import { describe, expect, it } from 'vitest';
import { charRnn } from '@shardgrad/models';
import { trainOnCluster } from './train-on-cluster.ts';

describe('char-rnn on the cluster', () => {
  it('an LSTM on the Debian licence texts beats the unigram perplexity on held-out text and samples real characters', async () => {
    const { summary, ctx } = await trainOnCluster({ model: 'char-rnn', seed: 5 }, { epochs: 1, maxSteps: 90 });
    expect(summary.workers).toBe(2);
    const r = summary.report!;
    // A net that learned nothing sits at or above the unigram perplexity (~29); 90 rounds get ~20% below it.
    expect(r.unigramPerplexity as number).toBeGreaterThan(20);
    expect(r.validationPerplexity as number).toBeLessThan(0.9 * (r.unigramPerplexity as number));
    const [sample] = charRnn.artifacts!({ ...ctx, config: { ...ctx.config, sampleLength: 80, temperature: 0.5 } });
    expect(sample!.kind).toBe('text');
    const text = sample!.kind === 'text' ? sample!.text : '';
    expect(text.startsWith('This License')).toBe(true);
    expect(text.length).toBe('This License'.length + 80);
  });

  it('refuses an unknown cell type', () => {
    expect(() => charRnn.build({ inputShape: [16], numClasses: 10, seed: 1, config: { cell: 'transformer' } })).toThrow(/lstm, gru, simple/);
  });
});
