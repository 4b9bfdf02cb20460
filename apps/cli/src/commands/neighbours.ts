import { Command } from 'commander';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { UnknownWordError, WordVectors } from '@shardgrad/models';
import { createOutput, UsageError } from '../output.ts';
import { positiveInt } from '../parse.ts';

/** The projector files a word2vec run writes next to its model (word2vec.ts, artifacts). */
const VECTORS = 'vectors.tsv';
const METADATA = 'metadata.tsv';

const hasVectors = (dir: string) => existsSync(join(dir, VECTORS)) && existsSync(join(dir, METADATA));

/** A run directory, a run id under `runsDir`, or (none given) the newest run that has word vectors. */
export function resolveVectorsRun(run: string | undefined, runsDir: string): string {
  if (run === undefined) {
    const runs = existsSync(runsDir)
      ? readdirSync(runsDir)
          .map((n) => join(runsDir, n))
          .filter((p) => statSync(p).isDirectory() && hasVectors(p))
          .sort()
      : [];
    if (runs.length === 0) throw new UsageError(`no run in ${runsDir}/ has word vectors yet: train one (npx shardgrad train --model word2vec) or give --run`);
    return runs.at(-1)!;
  }
  const dir = existsSync(run) ? run : join(runsDir, run);
  if (!existsSync(dir)) throw new UsageError(`no run at ${run}: give a run directory or a run id under ${runsDir}/`);
  if (!hasVectors(dir)) throw new UsageError(`${dir} has no word vectors (${VECTORS} and ${METADATA}); they come from npx shardgrad train --model word2vec`);
  return dir;
}

export function loadRunVectors(dir: string): WordVectors {
  try {
    return WordVectors.fromProjectorTsv(readFileSync(join(dir, VECTORS), 'utf8'), readFileSync(join(dir, METADATA), 'utf8'));
  } catch (e) {
    throw new UsageError(`cannot read the word vectors of ${dir}: ${(e as Error).message}`);
  }
}

export function neighboursCommand(): Command {
  return new Command('neighbours')
    .alias('neighbors')
    .summary("a word2vec run's nearest words by cosine similarity")
    .description(
      'Reads the word vectors a word2vec run exported (vectors.tsv and metadata.tsv in the run directory, the same ' +
        'files projector.tensorflow.org loads) and prints the words closest to each given word by cosine similarity. ' +
        'Words are lower case; rare words are not in the vocabulary.',
    )
    .addHelpText(
      'before',
      'Examples:\n  npx shardgrad neighbours --word war                   # the newest word2vec run\n' +
        '  npx shardgrad neighbours --run runs/<id> --word war,gold,navy --k 5\n' +
        '  npx shardgrad neighbours --word president --json\n',
    )
    .requiredOption('--word <words>', 'word(s) to look up, comma-separated')
    .option('--run <dir>', 'run directory or id (default: the newest run with word vectors)')
    .option('--runs <dir>', 'where run directories are', 'runs')
    .option('--k <n>', 'neighbours per word', positiveInt, 10)
    .option('--json', 'print one JSON object per line')
    .action((o: { word: string; run?: string; runs: string; k: number; json?: boolean }) => {
      const out = createOutput(Boolean(o.json));
      const words = o.word
        .split(',')
        .map((w) => w.trim().toLowerCase())
        .filter((w) => w !== '');
      if (words.length === 0) throw new UsageError('--word needs at least one word');
      const dir = resolveVectorsRun(o.run, o.runs);
      const vectors = loadRunVectors(dir);
      for (const word of words) {
        let neighbours: { word: string; cosine: number }[];
        try {
          neighbours = vectors.nearest(word, o.k);
        } catch (e) {
          if (e instanceof UnknownWordError) throw new UsageError(`${e.message}; the run is ${dir}`);
          throw e;
        }
        out.event({ type: 'neighbours', run: dir, word, neighbours }, () => `${word}: ${neighbours.map((n) => `${n.word} (${n.cosine.toFixed(3)})`).join(', ')}`);
      }
    });
}
