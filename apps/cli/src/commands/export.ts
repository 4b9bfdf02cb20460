import { Command, InvalidArgumentError } from 'commander';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { initNodeBackend } from '@shardgrad/backends/node';
import { type SettingsSource, saveModelDir } from '@shardgrad/coordinator';
import { checkExportTarget } from '../export-target.ts';
import { createOutput } from '../output.ts';
import { nonNegativeInt } from '../parse.ts';
import { resolveModelSource } from '../model-source.ts';
import { loadModelFiles } from '../saved-model.ts';

/** Said only when the settings did not come with the model itself. */
const SETTINGS_WORDS: Record<SettingsSource, string | undefined> = {
  'shardgrad.json': undefined,
  'run.json': "dataset options and model config taken from the run's run.json",
  none: 'an older model: no dataset options or model config recorded, evaluate will use the defaults',
};

const stepArg = (v: string): number | 'latest' => {
  if (v === 'latest') return v;
  try {
    return nonNegativeInt(v);
  } catch {
    throw new InvalidArgumentError(`expected a step number or "latest", got "${v}"`);
  }
};

export function exportCommand(): Command {
  return new Command('export')
    .summary('write a trained model in the tfjs layers format (model.json + weights)')
    .description(
      'Writes model.json, its weights file and shardgrad.json into --out. tf.loadLayersModel loads it in Node and ' +
        'in the browser (serve the folder and load <url>/model.json). The source is a run (its final model, or a ' +
        'checkpoint with --step), a checkpoint directory or a model directory; without one, the newest run. ' +
        'It refuses an --out that is not empty or that lies inside a run\'s model/ or checkpoints/ folder ' +
        '(it would replace the model there) unless --force is given.',
    )
    .addHelpText(
      'before',
      'Examples:\n  npx shardgrad export --out my-model                       # the newest run\'s final model\n' +
        '  npx shardgrad export runs/<id> --step 200 --out my-model   # a checkpoint of a run\n' +
        '  npx shardgrad export runs/<id>/checkpoints/step-0000000200 --out my-model --json\n' +
        '  # then, in a page:  const model = await tf.loadLayersModel("/my-model/model.json")\n',
    )
    .argument('[source]', 'run directory or id, checkpoint directory, or model directory (default: the newest run)')
    .option('--step <n>', 'export the run\'s checkpoint at this step ("latest" for the newest)', stepArg)
    .option('--runs <dir>', 'where run directories are', 'runs')
    .option('--out <dir>', 'folder to write (default: exports/<run id>[-step-<n>])')
    .option('--force', "write into a non-empty --out, or into a run's model/ or checkpoints/, replacing the model files there")
    .option('--json', 'print one JSON object per line')
    .action(async (source: string | undefined, o) => {
      const out = createOutput(Boolean(o.json));
      const from = resolveModelSource(source, { runsDir: o.runs, step: o.step });
      const dir = o.out ?? join('exports', `${from.runId ?? 'model'}${from.step !== undefined ? `-step-${from.step}` : ''}`);
      checkExportTarget(dir, Boolean(o.force));
      await initNodeBackend('wasm');
      // Loaded and saved again, not copied: what is written is what tfjs itself could read back. A
      // model saved before shardgrad.json held the run's dataset options and model config gets them
      // from its run.json here, so the copy evaluates and predicts as the run did away from its run.
      const { model, meta, settingsFrom } = await loadModelFiles(from.dir);
      await saveModelDir(model, dir, meta);
      const files = readdirSync(dir).sort();
      const settings = SETTINGS_WORDS[settingsFrom];
      out.event({ type: 'exported', from: from.dir, dir, files, model: meta.model, step: meta.step, runId: meta.runId, datasetOptions: meta.datasetOptions, settingsFrom }, () =>
        `exported ${meta.model}${meta.step !== undefined ? ` (step ${meta.step})` : ''} from ${from.dir} to ${dir}: ${files.join(', ')}${settings ? ` (${settings})` : ''}`,
      );
    });
}
