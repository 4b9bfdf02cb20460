import { Command } from 'commander';
import { initNodeBackend } from '@shardgrad/backends/node';
import { loadModelDir } from '@shardgrad/coordinator';
import { loadDataset } from '@shardgrad/data/node';
import { datasetMismatch, getModel } from '@shardgrad/models';
import { evaluate } from '@shardgrad/trainer';
import { UsageError, createOutput } from '../output.ts';
import { resolveModelSource } from '../model-source.ts';
import { figure } from '../summary-text.ts';

export function evaluateCommand(): Command {
  return new Command('evaluate')
    .summary("measure a saved model on its dataset's test split")
    .addHelpText('before', 'Examples:\n  npx shardgrad evaluate --model-dir runs/<id>/model\n  npx shardgrad evaluate --model-dir runs/<id>/model --dataset fashion-mnist --json\n')
    .requiredOption('--model-dir <dir>', 'a run directory, a checkpoint, or a model directory written by `train` or `export`')
    .option('--dataset <name>', 'dataset to evaluate on (default: the one it was trained on)')
    .option('--json', 'print one JSON object per line')
    .action(async (o) => {
      const out = createOutput(Boolean(o.json));
      await initNodeBackend('wasm');
      // The same sources as predict and export: a run directory means its final model.
      const { model, meta } = await loadModelDir(resolveModelSource(o.modelDir).dir);
      const def = getModel(meta.model);
      const datasetName = o.dataset ?? meta.dataset;
      const mismatch = datasetMismatch(def, datasetName);
      if (mismatch) throw new UsageError(mismatch);
      const ds = await loadDataset(datasetName);
      const r = evaluate(model, def, ds, ds.test);
      out.event({ type: 'evaluation', split: 'test', model: meta.model, dataset: ds.name, samples: ds.test.n, loss: r.loss, ...prefix(r.metrics) }, () =>
        `${meta.model} on ${ds.name} test (${ds.test.n} samples): loss ${r.loss.toFixed(4)}` +
        Object.entries(r.metrics).map(([k, v]) => `, ${k} ${formatMetric(k, v)}`).join(''),
      );
    });
}

const prefix = (m: Record<string, number>) => Object.fromEntries(Object.entries(m).map(([k, v]) => [`test${k[0]!.toUpperCase()}${k.slice(1)}`, v]));

/** Fractions (accuracy, F1, precision, recall) as percentages; errors such as mae in their own units, as train's summary gives them. */
export function formatMetric(name: string, value: number): string {
  return /accuracy|f1|precision|recall/i.test(name) ? `${(value * 100).toFixed(2)}%` : figure(value);
}
