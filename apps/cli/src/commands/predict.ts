import { Command, Option } from 'commander';
import { initNodeBackend } from '@shardgrad/backends/node';
import { isTabularDataset } from '@shardgrad/data';
import { predictProbabilities } from '@shardgrad/trainer';
import { createOutput, UsageError } from '../output.ts';
import { intList } from '../parse.ts';
import { formatPrediction } from '../format-prediction.ts';
import { readInputs } from '../read-inputs.ts';
import { readTabularInputs } from '../read-tabular-inputs.ts';
import { keyValue } from '../training-flags.ts';
import { PREDICT_MODELS, predictMode, refusalMessage } from '../predict-modes.ts';
import { openSavedModel, rebuildData } from '../saved-model.ts';

const list = (names: readonly string[]) => names.join(', ');

export function predictCommand(): Command {
  return new Command('predict')
    .summary('classify inputs with a saved model')
    .description(
      `Classifiers (${list(PREDICT_MODELS.class)}): the class and its confidence. ` +
        `Multi-label models (${list(PREDICT_MODELS.labels)}): the labels that hold. ` +
        `Regression (${list(PREDICT_MODELS.value)}): the value in real units, for CSV files of raw rows (a header line, then the ` +
        'columns the dataset has: date,pressure,wind for seattle-temperature; a temperature column is shown as the truth) or --test-index rows. ' +
        `Other models (${list(PREDICT_MODELS.refused)}) do not answer with a class, labels or a number: ` +
        'predict says what their run directory holds and which command to use instead. ' +
        "--test-index rows come from the test split as the run built it (its dataset options: class subset, features…).",
    )
    .addHelpText(
      'before',
      'Examples:\n  npx shardgrad predict --model-dir runs/<id>/model my-digit.png\n  npx shardgrad predict --model-dir runs/<id>/model --test-index 0,1,2\n  npx shardgrad predict --model-dir runs/<id> digits.idx            # a run: its final model\n  npx shardgrad predict --model-dir runs/<regression run> hours.csv  # date,pressure,wind rows\n',
    )
    .requiredOption('--model-dir <dir>', 'a model written by `train` or `export`, a checkpoint, or a run directory')
    .option('--test-index <list>', "comma-separated rows of the dataset's test split (as the run built it)", intList)
    .addOption(new Option('--dataset-option <key=value>', 'a dataset option over the recorded ones for --test-index, repeatable (key=null drops one)').argParser(keyValue))
    .argument('[files...]', "PNG images (greyscale; dark-on-light pictures are inverted; scaled to the model's size) or IDX files; CSV rows for regression")
    .option('--json', 'print one JSON object per line')
    .action(async (files: string[], o) => {
      const out = createOutput(Boolean(o.json));
      if (o.datasetOption && !o.testIndex) throw new UsageError('--dataset-option picks the --test-index rows; without --test-index it would change nothing');
      await initNodeBackend('wasm');
      const saved = await openSavedModel(o.modelDir);
      const { model, meta } = saved;
      const mode = predictMode(saved.def, meta, model);
      if (!mode) throw new UsageError(refusalMessage(saved.def, o.modelDir, saved.runDir));
      const rowSize = meta.inputShape.reduce((a, b) => a * b, 1);
      const inputs: { name: string; x: Float32Array; label?: Float32Array; trueValue?: number }[] = [];
      let data: Awaited<ReturnType<typeof rebuildData>> | undefined;
      if (o.testIndex) {
        // The test split as training built it: a class subset's rows, its features, its class names.
        data = await rebuildData(saved, { overrides: o.datasetOption });
        const { test, labelSize } = data.dataset;
        for (const i of o.testIndex as number[]) {
          if (i >= test.n) throw new UsageError(`--test-index ${i} is past the test split (${test.n} rows)`);
          inputs.push({ name: `test#${i}`, x: test.x.slice(i * rowSize, (i + 1) * rowSize), label: test.y.slice(i * labelSize, (i + 1) * labelSize) });
        }
      }
      if (mode === 'value') inputs.push(...(files.length > 0 ? await readTabularInputs(files, saved) : []));
      else for (const f of files) inputs.push(...(await readInputs(f, meta.inputShape)));
      if (inputs.length === 0) throw new UsageError('nothing to predict: give files or --test-index');
      const all = new Float32Array(inputs.length * rowSize);
      inputs.forEach((inp, i) => all.set(inp.x, i * rowSize));
      const names = meta.classNames ?? data?.dataset.classNames;
      // Regression outputs are standardized: real = y * scale + offset, from the saved model (or its dataset, for older models).
      const scale = meta.tabular?.targetScale ?? (data && isTabularDataset(data.dataset) ? data.dataset.targetScale : undefined);
      predictProbabilities(model, meta.inputShape, all).forEach((p, i) => {
        const input = inputs[i]!;
        if (mode === 'class') {
          const r = formatPrediction(p, names);
          const label = input.label?.[0];
          out.event(
            { type: 'prediction', input: input.name, predicted: r.label, className: names?.[r.label], confidence: r.confidence, label },
            () => `${input.name}: ${r.text}`,
          );
        } else if (mode === 'labels') {
          const on = (v: ArrayLike<number>) => Array.from(v, (x, j) => (x >= 0.5 ? names![j]! : undefined)).filter((x) => x !== undefined);
          const predicted = on(p);
          const truth = input.label ? on(input.label) : undefined;
          out.event(
            { type: 'prediction', input: input.name, labels: predicted, probabilities: Object.fromEntries(names!.map((n, j) => [n, p[j]!])), trueLabels: truth },
            () =>
              `${input.name}: ${predicted.map((n) => `${n} (${Math.round(p[names!.indexOf(n)]! * 100)}%)`).join(', ') || 'no label'}` +
              (truth ? `; true: ${truth.join(', ') || 'no label'}` : ''),
          );
        } else {
          const real = (v: number) => (scale ? v * scale.scale + scale.offset : v);
          const unit = scale ? ` ${scale.unit}` : ' (standardized)';
          const value = real(p[0]!);
          const truth = input.trueValue ?? (input.label ? real(input.label[0]!) : undefined);
          out.event(
            { type: 'prediction', input: input.name, value, unit: scale?.unit, standardized: p[0], trueValue: truth },
            () => `${input.name}: ${value.toFixed(2)}${unit}${truth !== undefined ? ` (true ${truth.toFixed(2)}${unit})` : ''}`,
          );
        }
      });
    });
}
