import { Command, Option } from 'commander';
import { initNodeBackend } from '@shardgrad/backends/node';
import { evaluate } from '@shardgrad/trainer';
import { createOutput } from '../output.ts';
import { openSavedModel, rebuildData } from '../saved-model.ts';
import { figure, reportLines } from '../summary-text.ts';
import { keyValue } from '../training-flags.ts';

export function evaluateCommand(): Command {
  return new Command('evaluate')
    .summary("measure a saved model on its dataset's test split")
    .description(
      "Rebuilds the test split as the run built it (its dataset options: class subset, features, vocabulary…) and " +
        "evaluates with the run's model config, then prints the model's own figures as train does (F1, RMSE in real " +
        'units, …). Models saved before shardgrad.json recorded those settings take them from the run.json beside them.',
    )
    .addHelpText(
      'before',
      'Examples:\n  npx shardgrad evaluate --model-dir runs/<id>/model\n  npx shardgrad evaluate --model-dir runs/<id>/model --dataset fashion-mnist --json\n' +
        '  npx shardgrad evaluate --model-dir runs/<id> --dataset-option testPerClass=50\n',
    )
    .requiredOption('--model-dir <dir>', 'a run directory, a checkpoint, or a model directory written by `train` or `export`')
    .option('--dataset <name>', "dataset to evaluate on (default: the one it was trained on; the run's dataset options apply where that dataset takes them)")
    .addOption(
      new Option('--dataset-option <key=value>', 'a dataset option over the recorded ones, repeatable (e.g. testPerClass=50; key=null drops a recorded one)').argParser(keyValue),
    )
    .option('--no-report', "skip the model's own figures (F1, RMSE in real units, …) after the metrics")
    .option('--json', 'print one JSON object per line')
    .action(async (o) => {
      const out = createOutput(Boolean(o.json));
      await initNodeBackend('wasm');
      // The same sources as predict and export: a run directory means its final model.
      const saved = await openSavedModel(o.modelDir);
      const { model, meta, def } = saved;
      const data = await rebuildData(saved, { dataset: o.dataset, overrides: o.datasetOption });
      const ds = data.dataset;
      out.say(data.description);
      const r = evaluate(model, def, ds, ds.test, data.modelConfig);
      out.event(
        {
          type: 'evaluation',
          split: 'test',
          model: meta.model,
          dataset: ds.name,
          datasetOptions: data.options,
          ...(data.skipped.length > 0 ? { skippedDatasetOptions: data.skipped } : {}),
          settingsFrom: saved.settingsFrom,
          samples: ds.test.n,
          loss: r.loss,
          ...prefix(r.metrics),
        },
        () => `${meta.model} on ${ds.name} test (${ds.test.n} samples): loss ${r.loss.toFixed(4)}` + Object.entries(r.metrics).map(([k, v]) => `, ${k} ${formatMetric(k, v)}`).join(''),
      );
      // The figures train's summary ends with (ModelDefinition.report), on the same rebuilt data.
      if (o.report !== false && def.report) {
        const figures = def.report({ model, dataset: ds, config: data.modelConfig });
        out.event({ type: 'report', split: 'test', model: meta.model, dataset: ds.name, figures }, () => reportText(figures));
      }
    });
}

const prefix = (m: Record<string, number>) => Object.fromEntries(Object.entries(m).map(([k, v]) => [`test${k[0]!.toUpperCase()}${k.slice(1)}`, v]));

/** Fractions (accuracy, F1, precision, recall) as percentages; errors such as mae in their own units, as train's summary gives them. */
export function formatMetric(name: string, value: number): string {
  return /accuracy|f1|precision|recall/i.test(name) ? `${(value * 100).toFixed(2)}%` : figure(value);
}

/** A model's report as train's summary prints it: one figure a line, RMSEs with the report's unit. */
export function reportText(figures: Record<string, number | string>): string | null {
  const lines = reportLines(figures);
  return lines.length > 0 ? lines.join('\n') : null;
}
