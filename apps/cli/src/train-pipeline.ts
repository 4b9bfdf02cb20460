import { type PipelineSummary, runPipeline, runSession } from '@shardgrad/coordinator';
import { dirname, join } from 'node:path';
import { startLocalWorkers, type LocalWorkerKind } from './local-workers.ts';
import { writeModelArtifacts } from './model-artifacts.ts';
import type { Output } from './output.ts';
import type { TrainingSetup } from './training-flags.ts';
import { plannedSteps, showTraining } from './training-display.ts';

/** The train flags a pipeline uses (see commands/train.ts). */
export interface PipelineFlags {
  model: string;
  dataset?: string;
  batch?: number;
  seed: number;
  optimizer?: 'sgd' | 'momentum' | 'rmsprop' | 'adam';
  lr?: number;
  split?: 'speed' | 'equal';
  epochs?: number;
  steps?: number;
  workers: number;
  localWorkers: LocalWorkerKind;
  backend: string;
  out: string;
  evalEvery?: number;
  json?: boolean;
}

const pct = (v: number) => `${(v * 100).toFixed(2)}%`;

/**
 * `train` for a model with a pipeline (transfer): each phase is a run of its own, with its own
 * coordinator, worker processes and run directory; at the end, the phases side by side.
 */
export async function trainPipeline(o: PipelineFlags, setup: TrainingSetup, out: Output): Promise<PipelineSummary> {
  const summary = await runPipeline(
    {
      model: o.model,
      base: {
        dataset: o.dataset,
        batch: o.batch,
        seed: o.seed,
        optimizer: o.optimizer,
        learningRate: o.lr,
        split: o.split,
        datasetOptions: setup.datasetOptions,
        modelConfig: setup.modelConfig,
      },
      epochs: o.epochs,
      maxSteps: o.steps,
      minWorkers: o.workers,
      options: setup.options,
    },
    {
      onPhaseStart: (c, phase, i, n) =>
        out.event(
          { type: 'phase', phase: phase.name, index: i, of: n, description: phase.description, train: c.config.dataset.train.n, test: c.config.dataset.test.n },
          () => `\n== phase ${i + 1}/${n}: ${phase.name} — ${phase.description} (${c.config.dataset.train.n} training, ${c.config.dataset.test.n} test examples)`,
        ),
      startWorkers: async (c) => startLocalWorkers(o.workers, c, { backend: o.backend, json: Boolean(o.json), as: o.localWorkers }),
      train: async (c, plan, phase) => {
        const display = showTraining(c, out, plannedSteps(c, plan.epochs, plan.maxSteps));
        try {
          const [s] = await runSession(c, {
            plan: () => ({ ...plan, evaluateEvery: o.evalEvery }),
            record: { root: o.out, plan: { epochs: plan.epochs, steps: plan.maxSteps, workers: o.workers, workerBackend: o.backend } },
          });
          if (!s) throw new Error(`phase ${phase.name} ended without a summary`);
          out.event({ ...s, phase: phase.name }, () => `${phase.name}: test accuracy ${pct(s.testAccuracy)}, test loss ${s.testLoss.toFixed(4)}, ${s.steps} steps in ${s.seconds.toFixed(1)} s`);
          // Each phase's own files (seq2seq's attention map, …) go to that phase's run directory.
          const ctx = { model: c.config.state.model, dataset: c.config.dataset, config: c.config.modelConfig ?? {} };
          const modelDir = (s as { modelDir?: string }).modelDir;
          for (const a of await writeModelArtifacts(c.config.def, ctx, modelDir ? dirname(modelDir) : join(o.out, s.runId))) {
            out.event({ type: 'artifact', phase: phase.name, ...a }, () => `wrote ${a.path}: ${a.description}`);
          }
          return s;
        } finally {
          display.stop();
        }
      },
    },
  );
  out.event(summary as unknown as Record<string, unknown>, () => {
    const rows = summary.phases.map((p) => `  ${p.phase.padEnd(10)} test accuracy ${pct(p.summary.testAccuracy)}   (${p.description})`);
    const cmp = Object.entries(summary.comparison).map(([k, v]) => `  ${k}: ${Number.isInteger(v) ? v : v.toFixed(4)}`);
    return `\n${summary.model}: ${summary.phases.length} phases in ${summary.seconds.toFixed(1)} s (${Math.round(summary.samplesPerSecond)} samples/s)\n${rows.join('\n')}\n${cmp.join('\n')}`;
  });
  return summary;
}
