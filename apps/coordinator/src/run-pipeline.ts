import { type PipelinePhase, getModel, pipelinePhases } from '@shardgrad/models';
import { copyLayerWeights, readAll } from '@shardgrad/trainer';
import type * as tf from '@tensorflow/tfjs';
import type { Coordinator } from './coordinator.ts';
import { type CoordinatorOptions, createCoordinator } from './create-coordinator.ts';
import { type TrainingPlan, type TrainingSummary, runTraining } from './run-training.ts';
import { type TrainingOptions, trainingOptionsFrom } from './training-policy.ts';

/** A model whose `train` is several runs (ModelDefinition.pipeline), each through its own coordinator and workers. */
export interface PipelineRun {
  model: string;
  /** Settings for every phase; a phase's dataset options and model config are merged over these. */
  base: Omit<CoordinatorOptions, 'model'>;
  /** Given: every phase runs this many epochs (else the phase's own). */
  epochs?: number;
  maxSteps?: number;
  minWorkers: number;
  /** The user's training options; they win over a phase's. */
  options?: TrainingOptions;
  /** Changes to single phases, by name (tests run them small). */
  phaseOverrides?: Record<string, Partial<Omit<PipelinePhase, 'name'>>>;
}

export interface PipelineHooks {
  /** Starts the phase's workers (processes, or in-process for tests). */
  startWorkers(c: Coordinator, phase: PipelinePhase): Promise<{ stop(): Promise<void> }>;
  /** Trains one phase; default runTraining (the CLI records a run directory per phase). */
  train?(c: Coordinator, plan: TrainingPlan, phase: PipelinePhase): Promise<TrainingSummary>;
  onPhaseStart?(c: Coordinator, phase: PipelinePhase, index: number, count: number): void;
  /** After a phase trained, before its coordinator closes (tests read its final weights here). */
  onPhaseEnd?(c: Coordinator, phase: PipelinePhase, summary: TrainingSummary): void;
}

export interface PhaseResult {
  phase: string;
  description: string;
  summary: TrainingSummary;
}

export interface PipelineSummary {
  type: 'pipeline-summary';
  model: string;
  phases: PhaseResult[];
  /** The model's own comparison of the phases (e.g. transfer gain in percentage points). */
  comparison: Record<string, number>;
  /** Wall time of the whole pipeline: data loading, worker start-up and evaluation included. */
  seconds: number;
  /** The phases' own training time (each from its first round to its last), which samplesPerSecond divides by. */
  trainingSeconds: number;
  samples: number;
  samplesPerSecond: number;
}

/** The phase with its overrides, and the coordinator options and plan it runs with. */
function settle(run: PipelineRun, raw: PipelinePhase, defaultEpochs: number) {
  const phase: PipelinePhase = { ...raw, ...(run.phaseOverrides?.[raw.name] ?? {}) };
  const opts: CoordinatorOptions = {
    ...run.base,
    model: run.model,
    datasetOptions: { ...(run.base.datasetOptions ?? {}), ...(phase.datasetOptions ?? {}) },
    modelConfig: { ...(run.base.modelConfig ?? {}), ...(phase.modelConfig ?? {}) },
    batch: run.base.batch ?? phase.batch,
    learningRate: run.base.learningRate ?? phase.learningRate,
  };
  const plan: TrainingPlan = {
    epochs: run.epochs ?? phase.epochs ?? defaultEpochs,
    maxSteps: run.maxSteps,
    minWorkers: run.minWorkers,
    options: { ...trainingOptionsFrom(phase.training ?? {}), ...(run.options ?? {}) },
  };
  return { phase, opts, plan };
}

/**
 * Runs the phases in order, each a full cluster run. A phase with `initFrom` starts from the named
 * earlier phase's final weights for the layers of a prefix (e.g. the pre-trained base); the rest
 * of its weights are its own fresh initialisation.
 */
export async function runPipeline(run: PipelineRun, hooks: PipelineHooks): Promise<PipelineSummary> {
  const def = getModel(run.model);
  if (!def.pipeline) throw new Error(`model "${def.name}" has no pipeline; train it as a single run`);
  for (const name of Object.keys(run.phaseOverrides ?? {})) {
    const all = def.pipeline.phases;
    if (!all.some((p) => p.name === name)) throw new Error(`model "${def.name}" has no phase "${name}"; phases: ${all.map((p) => p.name).join(', ')}`);
  }
  // The phase option (`--set attention=false`) trains only its phase and the ones it starts from; checked before any phase runs.
  const phases = pipelinePhases(def, run.base.modelConfig ?? {});
  const finals = new Map<string, tf.LayersModel>();
  const results: PhaseResult[] = [];
  const started = performance.now();
  try {
    for (const [i, raw] of phases.entries()) {
      const { phase, opts, plan } = settle(run, raw, def.defaults.epochs);
      const c = await createCoordinator(opts);
      let workers: { stop(): Promise<void> } | undefined;
      try {
        if (phase.initFrom) initFrom(c, finals, phase);
        hooks.onPhaseStart?.(c, phase, i, phases.length);
        workers = await hooks.startWorkers(c, phase);
        const summary = await (hooks.train ?? ((cc, p) => runTraining(cc, p)))(c, plan, phase);
        hooks.onPhaseEnd?.(c, phase, summary);
        c.broadcastStop(`phase ${phase.name} finished`);
        finals.set(phase.name, c.config.state.model);
        results.push({ phase: phase.name, description: phase.description, summary });
      } finally {
        await workers?.stop();
        await c.close();
      }
    }
  } finally {
    for (const m of finals.values()) m.dispose();
  }
  const seconds = (performance.now() - started) / 1000;
  const samples = results.reduce((s, r) => s + r.summary.samples, 0);
  const trainingSeconds = results.reduce((s, r) => s + r.summary.seconds, 0);
  const testMetrics = Object.fromEntries(results.map((r) => [r.phase, r.summary.testMetrics]));
  return {
    type: 'pipeline-summary',
    model: def.name,
    phases: results,
    comparison: def.pipeline.compare?.(testMetrics) ?? {},
    seconds,
    trainingSeconds,
    samples,
    samplesPerSecond: trainingSeconds > 0 ? samples / trainingSeconds : 0,
  };
}

/** Loads the earlier phase's weights into this run's model for the layers of the prefix, before any worker joins. */
function initFrom(c: Coordinator, finals: Map<string, tf.LayersModel>, phase: PipelinePhase): void {
  const { phase: from, layerPrefix } = phase.initFrom!;
  const source = finals.get(from);
  if (!source) throw new Error(`phase "${phase.name}" starts from phase "${from}", which has not run before it`);
  const state = c.config.state;
  const model = state.model;
  copyLayerWeights(source, model, layerPrefix);
  // The state owns the weights the workers get; version 0 still, since no step has been taken.
  state.setWeights(readAll(model), state.version);
}
