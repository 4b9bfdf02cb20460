import { DatasetOptionError, type Dataset } from './dataset.ts';

/**
 * A "dataset" of episode ids, for reinforcement learning: the rows hold nothing, the index is the
 * episode's identity (it seeds the episode), so rounds, shards and epochs work as for samples.
 */
export function episodeDataset(name: string, observation: number[], opts: Record<string, unknown> = {}): Dataset {
  const known = ['episodes', 'evalEpisodes'];
  const unknown = Object.keys(opts).filter((k) => !known.includes(k));
  if (unknown.length > 0) throw new DatasetOptionError(`dataset "${name}" has no option ${unknown.join(', ')}; options: ${known.join(', ')}`);
  const episodes = positive(opts.episodes, 'episodes', 2000);
  const evaluation = positive(opts.evalEpisodes, 'evalEpisodes', 100);
  return {
    name,
    inputShape: observation,
    labelSize: 0,
    numClasses: 0,
    train: { x: new Float32Array(0), y: new Float32Array(0), n: episodes },
    test: { x: new Float32Array(0), y: new Float32Array(0), n: evaluation },
  };
}

function positive(v: unknown, name: string, fallback: number): number {
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new DatasetOptionError(`dataset option ${name} must be a positive integer, got ${String(v)}`);
  return n;
}
