import { type Classroom, type Coordinator, type PipelineSummary, attachAdaptiveBatch, attachClassroom, createTeacherToken, runPipeline, runSession } from '@shardgrad/coordinator';
import { type ModelDefinition, type OptimizerName, type PipelinePhase, getModel, phaseOption, pipelinePhases } from '@shardgrad/models';
import { constants } from 'node:os';
import { dirname, join } from 'node:path';
import { classroomEvent } from './classroom-event.ts';
import { describeEvent } from './describe-event.ts';
import { printTestPredictions } from './format-prediction.ts';
import { startLocalWorkers, type LocalWorkerKind } from './local-workers.ts';
import { writeModelArtifacts } from './model-artifacts.ts';
import { type Output, UsageError } from './output.ts';
import { reportLines, testHeadline } from './summary-text.ts';
import type { TrainingSetup } from './training-flags.ts';
import { plannedSteps, showTraining } from './training-display.ts';
import { applyTrust } from './trust-options.ts';
import { checkBeforeRun } from './check-before-run.ts';

/** The train flags a pipeline uses (see commands/train.ts). */
export interface PipelineFlags {
  model: string;
  dataset?: string;
  batch?: number;
  seed: number;
  optimizer?: OptimizerName;
  lr?: number;
  split?: 'speed' | 'equal';
  epochs?: number;
  steps?: number;
  workers: number;
  localWorkers: LocalWorkerKind;
  backend: string;
  out: string;
  evalEvery?: number;
  checkpointEvery?: number;
  adaptiveBatch?: number;
  /** false with --no-dashboard. */
  dashboard?: boolean;
  aggregator?: string;
  byzantine?: number;
  trim?: number;
  resume?: string;
  json?: boolean;
  /** Test rows with each classifier phase's guesses, printed after it (transfer's phases). */
  predictions?: number;
}

/** Where a phase's run landed: what `evaluate`, `predict` and `export` take. */
interface PhaseFiles {
  runDir: string;
  modelDir: string;
  artifacts: string[];
}

const pct = (v: number) => `${(v * 100).toFixed(2)}%`;

/** The all-workers-gone promise of each phase's local workers, read by its training. */
const watched = new WeakMap<Coordinator, Promise<void> | undefined>();

/** What the phase option picked, for the line printed before the first phase (nothing when every phase runs). */
export function phaseChoice(def: Pick<ModelDefinition, 'pipeline'>, config: Record<string, unknown>, phases: readonly PipelinePhase[]): string | undefined {
  const key = phaseOption(def);
  const all = def.pipeline?.phases ?? [];
  if (key === undefined || phases.length === all.length) return undefined;
  const picked = phases[phases.length - 1]!;
  const before = phases.slice(0, -1).map((p) => p.name);
  const which = before.length > 0 ? `phases ${[...before, picked.name].join(' then ')} (${picked.name} starts from the weights of ${before.join(', ')})` : `phase ${picked.name} only`;
  const left = all.filter((p) => !phases.includes(p)).map((p) => p.name);
  return `${key}=${String(config[key])}: training ${which}; left out: ${left.join(', ')} (without --set ${key}, every phase runs)`;
}

/**
 * `coordinator --model <pipeline model>` trains one phase, picked by the model's phase option
 * (`--set stage=scratch`): that phase's data and network, merged over the user's as `train` merges
 * them, and its batch, learning rate and epochs where the user gave none. A phase that starts from an
 * earlier phase's weights (transfer's finetune) cannot run alone: refused, saying what to run instead.
 */
export function onePhase(def: ModelDefinition, setup: TrainingSetup): { setup: TrainingSetup; phase: PipelinePhase } {
  const all = def.pipeline?.phases ?? [];
  const key = phaseOption(def);
  const names = all.map((p) => p.name).join(', ');
  if (key === undefined || setup.modelConfig[key] === undefined) {
    // A phase that starts from another's weights cannot be one run here: not offered.
    const values = key === undefined ? [] : all.filter((p) => !p.initFrom).map((p) => String(p.modelConfig?.[key]));
    const one = key === undefined ? '' : `, or one phase here with --set ${key}=<${values.join('|')}>`;
    throw new UsageError(`model "${def.name}" trains in phases (${names}), each a run of its own: run them all with \`shardgrad train --model ${def.name}\`${one}`);
  }
  let picked: PipelinePhase[];
  try {
    picked = pipelinePhases(def, setup.modelConfig);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const phase = picked[picked.length - 1]!;
  if (phase.initFrom) {
    throw new UsageError(
      `phase ${phase.name} of ${def.name} starts from the weights of phase ${phase.initFrom.phase}, which a coordinator's single run does not have: train both with \`shardgrad train --model ${def.name} --set ${key}=${String(setup.modelConfig[key])}\``,
    );
  }
  return {
    phase,
    setup: {
      ...setup,
      datasetOptions: { ...(setup.datasetOptions ?? {}), ...(phase.datasetOptions ?? {}) },
      modelConfig: { ...setup.modelConfig, ...(phase.modelConfig ?? {}) },
    },
  };
}

/**
 * `train` for a model with a pipeline (transfer, birnn, seq2seq): each phase is a run of its own, with
 * its own coordinator (and dashboard), worker processes and run directory; at the end, the phases
 * side by side, each with the folder to give `evaluate` or `export`. The model's phase option
 * (`--set attention=false`) trains only that phase, and the phases it starts from.
 */
export async function trainPipeline(o: PipelineFlags, setup: TrainingSetup, out: Output): Promise<PipelineSummary | undefined> {
  const def = getModel(o.model);
  // Each phase would go on from the same checkpoint: there is no pipeline position to resume.
  if (o.resume !== undefined) throw new UsageError(`--resume goes on from one run, and model "${def.name}" trains in phases (${(def.pipeline?.phases ?? []).map((p) => p.name).join(', ')}): train it again`);
  // Checked before any phase starts (runPipeline checks it again).
  const phases = pipelinePhases(def, setup.modelConfig);
  const choice = phaseChoice(def, setup.modelConfig, phases);
  if (choice) out.event({ type: 'phases', model: def.name, phases: phases.map((p) => p.name) }, () => choice);
  // The local workers present the worker token through their environment; nobody else needs it.
  process.env.SHARDGRAD_WORKER_TOKEN ||= createTeacherToken();
  // One teacher token and join code for every phase's dashboard; each phase's server has its own address.
  let secrets: { teacherToken?: string; joinCode?: string } = {};
  const files = new Map<string, PhaseFiles>();
  // Ctrl-C (or SIGTERM) stops the phase that trains at its next round boundary, which saves its
  // model and checkpoint as a single run's stop does; the phases after it do not start.
  const stop = new PipelineStop();
  process.once('SIGINT', stop.signal);
  process.once('SIGTERM', stop.signal);
  let summary: PipelineSummary;
  try {
    summary = await runPipeline(
      {
        model: o.model,
        base: {
          dataset: o.dataset,
          batch: o.batch,
          largestBatch: o.adaptiveBatch,
          seed: o.seed,
          optimizer: o.optimizer,
          learningRate: o.lr,
          split: o.split,
          aggregator: o.aggregator,
          byzantine: o.byzantine,
          trim: o.trim,
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
            { type: 'phase', phase: phase.name, index: i, of: n, description: phase.description, runId: c.runId, train: c.config.dataset.train.n, test: c.config.dataset.test.n },
            () => `\n== phase ${i + 1}/${n}: ${phase.name} — ${phase.description} (${c.config.dataset.train.n} training, ${c.config.dataset.test.n} test examples)`,
          ),
        startWorkers: async (c) => {
          const auth = applyTrust(c, { ...(o as unknown as Record<string, unknown>), ...secrets }, out, { workers: o.workers });
          secrets = { teacherToken: auth.teacherToken, joinCode: auth.joinCode };
          if (o.adaptiveBatch) attachAdaptiveBatch(c, { maxBatch: o.adaptiveBatch });
          const room: Classroom | undefined = o.dashboard === false ? undefined : await attachClassroom(c);
          if (room) out.event(classroomEvent(room), describeEvent);
          const workers = startLocalWorkers(o.workers, c, { backend: o.backend, json: Boolean(o.json), as: o.localWorkers });
          watched.set(c, workers.allExited);
          return {
            stop: async () => {
              room?.close();
              await workers.stop();
            },
          };
        },
        train: async (c, plan, phase) => {
          stop.current = c;
          // Before runSession records the phase's run directory, as train does for a single run.
          if (plan.options) await checkBeforeRun(c, plan.options);
        // A signal while the phase was starting: stop at its first round boundary.
        if (stop.by) c.control.stop();
          const display = showTraining(c, out, plannedSteps(c, plan.epochs, plan.maxSteps));
          let trained = false;
          try {
            let modelDir: string | undefined;
            const session = runSession(c, {
              plan: () => ({ ...plan, evaluateEvery: o.evalEvery }),
              record: { root: o.out, checkpointEvery: o.checkpointEvery, plan: { epochs: plan.epochs, steps: plan.maxSteps, workers: o.workers, workerBackend: o.backend } },
              onRunEnd: (_s, dir) => void (modelDir = dir),
            });
            // Worker processes that all die leave nobody to train: say so instead of waiting forever.
            const gone = new Promise<never>((_, reject) => {
              void watched.get(c)?.then(() => trained || reject(new Error(`every local worker of phase ${phase.name} exited before it finished (their errors are above)`)));
            });
            gone.catch(() => undefined);
            const [s] = await Promise.race([session, gone]);
            trained = true;
            if (!s) throw new Error(`phase ${phase.name} ended without a summary`);
            display.stop();
            const runDir = modelDir ? dirname(modelDir) : join(o.out, c.runId);
            // Each phase's own files (seq2seq's attention map, …) go to that phase's run directory.
            const ctx = { model: c.config.state.model, dataset: c.config.dataset, config: c.config.modelConfig ?? {} };
            const artifacts = await writeModelArtifacts(c.config.def, ctx, runDir);
            for (const a of artifacts) out.event({ type: 'artifact', phase: phase.name, ...a }, () => `wrote ${a.path}: ${a.description}`);
            const saved: PhaseFiles = { runDir, modelDir: modelDir ?? join(runDir, 'model'), artifacts: artifacts.map((a) => a.path) };
            files.set(phase.name, saved);
            out.event({ ...s, phase: phase.name, ...saved }, () => {
              const head = testHeadline(s.testLoss, s.testMetrics);
              return `${phase.name}: ${head ? `${head}, ` : ''}${s.steps} steps in ${s.seconds.toFixed(1)} s\nmodel saved to ${saved.modelDir}`;
            });
            printTestPredictions(c, out, o.predictions ?? 0, { phase: phase.name });
          if (stop.by) throw new PipelineInterrupted(phase.name, s.steps, saved.runDir);
            return s;
          } finally {
            trained = true;
            display.stop();
          }
        },
      },
    );
  } catch (e) {
    if (!(e instanceof PipelineInterrupted)) throw e;
    const how = stop.by === 'SIGINT' ? 'Ctrl-C' : stop.by;
    const left = phases.slice(phases.findIndex((p) => p.name === e.phase) + 1).map((p) => p.name);
    process.stderr.write(`shardgrad: interrupted (${how}) in phase ${e.phase} after ${e.steps} steps; its model and checkpoint are saved in ${e.runDir}${left.length > 0 ? `; not started: ${left.join(', ')}` : ''}\n`);
    process.exitCode = 128 + constants.signals[stop.by!];
    return undefined;
  } finally {
    process.off('SIGINT', stop.signal);
    process.off('SIGTERM', stop.signal);
  }
  const phasesOut = summary.phases.map((p) => ({ ...p, ...files.get(p.phase) }));
  out.event({ ...summary, phases: phasesOut } as unknown as Record<string, unknown>, () => pipelineText(summary, files));
  return summary;
}

/** The signal that stopped a pipeline, and the phase's coordinator it stops. */
class PipelineStop {
  by: NodeJS.Signals | undefined;
  current: Coordinator | undefined;
  readonly signal = (signal: NodeJS.Signals): void => {
    this.by = signal;
    this.current?.control.stop();
  };
}

/** Thrown after a stopped phase has saved everything: the phases after it must not start. */
class PipelineInterrupted extends Error {
  constructor(
    readonly phase: string,
    readonly steps: number,
    readonly runDir: string,
  ) {
    super(`interrupted in phase ${phase}`);
  }
}

/** The closing lines: every phase's test figures, report and run directory, then the model's comparison. */
export function pipelineText(summary: PipelineSummary, files: ReadonlyMap<string, Pick<PhaseFiles, 'runDir'>>): string {
  const width = Math.max(10, ...summary.phases.map((p) => p.phase.length));
  const lines = [
    '',
    `${summary.model}: ${summary.phases.length} ${summary.phases.length === 1 ? 'phase' : 'phases'} in ${summary.seconds.toFixed(1)} s (${summary.trainingSeconds.toFixed(1)} s of training, ${Math.round(summary.samplesPerSecond)} samples/s)`,
  ];
  for (const p of summary.phases) {
    const acc = p.summary.testMetrics.accuracy;
    const head = acc !== undefined ? `test accuracy ${pct(acc)}` : testHeadline(p.summary.testLoss, p.summary.testMetrics);
    lines.push(`  ${p.phase.padEnd(width)} ${head}   (${p.description})`);
    const dir = files.get(p.phase)?.runDir;
    if (dir) lines.push(`    run directory ${dir}`);
    lines.push(...reportLines(p.summary.report ?? {}, '    '));
  }
  for (const [k, v] of Object.entries(summary.comparison)) lines.push(`  ${k}: ${Number.isInteger(v) ? v : v.toFixed(4)}`);
  return lines.join('\n');
}
