import { Command } from 'commander';
import { initNodeBackend } from '@shardgrad/backends/node';
import { loadModelDir } from '@shardgrad/coordinator';
import { loadDataset } from '@shardgrad/data/node';
import { predictProbabilities } from '@shardgrad/trainer';
import { createOutput, UsageError } from '../output.ts';
import { intList } from '../parse.ts';
import { formatPrediction, isOneOfKClassifier } from '../format-prediction.ts';
import { getModel } from '@shardgrad/models';
import { readInputs } from '../read-inputs.ts';
import { resolveModelSource } from '../model-source.ts';

export function predictCommand(): Command {
  return new Command('predict')
    .summary('classify inputs with a saved model')
    .addHelpText(
      'before',
      'Examples:\n  npx shardgrad predict --model-dir runs/<id>/model my-digit.png\n  npx shardgrad predict --model-dir runs/<id>/model --test-index 0,1,2\n  npx shardgrad predict --model-dir runs/<id> digits.idx            # a run: its final model\n',
    )
    .requiredOption('--model-dir <dir>', 'a model written by `train` or `export`, a checkpoint, or a run directory')
    .option('--test-index <list>', "comma-separated rows of the dataset's test split", intList)
    .argument('[files...]', 'PNG images (greyscale; dark-on-light pictures are inverted; scaled to the model\'s size) or IDX files')
    .option('--json', 'print one JSON object per line')
    .action(async (files: string[], o) => {
      const out = createOutput(Boolean(o.json));
      await initNodeBackend('wasm');
      const { model, meta } = await loadModelDir(resolveModelSource(o.modelDir).dir);
      if (!isOneOfKClassifier(getModel(meta.model), meta)) {
        throw new UsageError(`predict names classes, and ${meta.model}'s outputs are not class scores; \`npx shardgrad evaluate --model-dir ${o.modelDir}\` gives its test metrics, and its run directory holds what train drew of it`);
      }
      const rowSize = meta.inputShape.reduce((a, b) => a * b, 1);
      const inputs: { name: string; x: Float32Array; label?: number }[] = [];
      if (o.testIndex) {
        const ds = await loadDataset(meta.dataset);
        for (const i of o.testIndex as number[]) {
          if (i >= ds.test.n) throw new UsageError(`--test-index ${i} is past the test split (${ds.test.n} rows)`);
          inputs.push({ name: `test#${i}`, x: ds.test.x.slice(i * rowSize, (i + 1) * rowSize), label: ds.test.y[i] });
        }
      }
      for (const f of files) inputs.push(...(await readInputs(f, meta.inputShape)));
      if (inputs.length === 0) throw new UsageError('nothing to predict: give files or --test-index');
      const all = new Float32Array(inputs.length * rowSize);
      inputs.forEach((inp, i) => all.set(inp.x, i * rowSize));
      predictProbabilities(model, meta.inputShape, all).forEach((p, i) => {
        const r = formatPrediction(p, meta.classNames);
        out.event(
          { type: 'prediction', input: inputs[i]!.name, predicted: r.label, className: meta.classNames?.[r.label], confidence: r.confidence, label: inputs[i]!.label },
          () => `${inputs[i]!.name}: ${r.text}`,
        );
      });
    });
}
