import { join } from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { initNodeBackend } from '@shardgrad/backends/node';
import { OPTIMIZER_NAMES, getModel } from '@shardgrad/models';
import { LR_RULES, parseLrSchedule } from '@shardgrad/trainer';
import { createOutput, UsageError } from '../output.ts';
import { createProgress, outputThrough, wantsBars } from '../progress.ts';
import { learningRate, nonNegativeInt, oneOf, positiveInt } from '../parse.ts';
import { localWorkersMisfit } from '../local-worker-count.ts';
import { pointNoise, sweepNoise } from '../sweep/analysis.ts';
import { SweepInterrupted } from '../sweep/point-runner.ts';
import { settingsKey, SweepConfigError, sweepGrid, type SweepSettings } from '../sweep/sweep-config.ts';
import { runSweep } from '../sweep/run-sweep.ts';
import { modelFromFlags, withModelFlags } from '../training-flags.ts';
import { counted } from '../plural.ts';
import { REPORT_MD } from '../sweep/sweep-outputs.ts';
import type { PointResult } from '../sweep/point-result.ts';

const BACKENDS = ['auto', 'tensorflow', 'wasm', 'cpu', 'webgpu'] as const;
/** Events of a point forwarded live with --json: what a researcher watches (one noise-scale line a round). */
const LIVE_EVENTS = new Set(['noise-scale', 'adaptive-batch', 'evaluation', 'finished']);

function positiveIntList(value: string): number[] {
  const parts = value.split(',').map((v) => v.trim());
  if (parts.some((p) => !/^\d+$/.test(p) || Number(p) < 1)) throw new InvalidArgumentError(`expected comma-separated positive integers, got "${value}"`);
  return parts.map(Number);
}

/** `--workers`: each count one that this machine can hold (localWorkerCount). */
function localWorkerCounts(value: string): number[] {
  const counts = positiveIntList(value);
  const misfit = localWorkersMisfit(Math.max(...counts));
  if (misfit) throw new InvalidArgumentError(`${misfit}, got "${value}"`);
  return counts;
}

function fraction(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !(n > 0 && n <= 1)) throw new InvalidArgumentError(`expected a fraction in (0, 1], got "${value}"`);
  return n;
}

function schedule(value: string) {
  try {
    return parseLrSchedule(value);
  } catch (e) {
    throw new InvalidArgumentError((e as Error).message);
  }
}

/** Exit statuses of a sweep a signal ended: 128 + the signal's number, as a shell reports it. */
const SIGNAL_EXIT = { SIGINT: 130, SIGTERM: 143 } as const;
type StopSignal = keyof typeof SIGNAL_EXIT;

/** The last line's words for a sweep without a noise scale (the report says more). */
const NO_NOISE_SCALE = {
  unmeasured: 'no noise scale: every point ran one shard per round (one worker; use two or more, or --simulate-workers)',
  'not-positive': 'no noise scale: it was measured, but the estimate of |G|² was not positive (noise dominates; try more steps or larger batches)',
} as const;

const quote = (a: string) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`);

export function sweepCommand(): Command {
  return withModelFlags(new Command('sweep')
    .summary('batch-size scaling sweep: steps and time to a target accuracy, and the gradient noise scale')
    .description(
      'Trains one real run through the cluster per (batch, workers, seed) point, stops each at the target ' +
        'test accuracy, and measures: steps and training time to the target, samples/s, final test accuracy, ' +
        'the generalization gap (train − test accuracy) and the gradient noise scale B_simple (McCandlish et al. ' +
        '2018; needs two or more workers). Each point gets a run directory; the sweep directory holds sweep.csv, ' +
        'sweep.jsonl, the charts as SVG and PNG and report.md. Rerunning the same command resumes: finished points ' +
        'are not run again. --simulate-workers K runs K virtual workers inside this process instead of K worker ' +
        'processes (labelled "simulated" everywhere): for fleets bigger than the machine.',
    )
    .addHelpText(
      'before',
      'Examples:\n' +
        '  npx shardgrad sweep --batch 16,32,64,128,256,512,1024 --workers 1,2 --lr-rule sqrt --warmup 20 --target-accuracy 0.95 --max-steps 3000 --seeds 3\n' +
        '  npx shardgrad sweep --simulate-workers 4 --lr-rule adascale --optimizer sgd --lr 0.05 --base-batch 16\n' +
        '  npx shardgrad sweep --batch 32 --workers 2 --adaptive-batch --max-batch 1024 --json\n',
    )
    .option('--model <name>', 'model from the registry', 'mnist-mlp')
    .option('--dataset <name>', "dataset (default: the model's own)")
    .option('--batch <list>', 'global batches, comma-separated', positiveIntList, [16, 32, 64, 128, 256, 512, 1024])
    .option('--workers <list>', 'worker processes per point, comma-separated (as many as this machine holds)', localWorkerCounts, [2])
    .option('--simulate-workers <list>', 'virtual workers inside this process per point (instead of --workers), comma-separated', positiveIntList)
    .option('--seeds <n>', 'seeds per point (1…n)', positiveInt, 1)
    .option('--lr-rule <rule>', `learning-rate scaling rule: ${LR_RULES.join(', ')}`, oneOf(LR_RULES), 'none')
    .option('--lr <rate>', "reference learning rate η (default: the model's)", learningRate)
    .option('--base-batch <n>', "batch the reference rate belongs to, B₀ (default: the model's default batch)", positiveInt)
    .option('--warmup <steps>', 'gradual warm-up steps (Goyal et al.): from η up to the rule\'s rate', nonNegativeInt, 0)
    .option('--lr-schedule <form>', 'a schedule on top: constant, step:<epochs>:<gamma>, cosine, exponential:<rate>', schedule)
    .option('--optimizer <name>', `optimizer: ${OPTIMIZER_NAMES.join(', ')}`, oneOf(OPTIMIZER_NAMES))
    .option('--target-accuracy <fraction>', 'test accuracy that ends a point', fraction, 0.95)
    .option('--max-steps <n>', 'steps after which a point gives up on the target', positiveInt, 2000)
    .option('--no-stop-at-target', 'train on to --max-steps after reaching the target')
    .option('--eval-every <n>', 'check the target every n steps (default: every step to 20, then every 5% of the steps so far)', positiveInt)
    .option('--adaptive-batch', 'grow the batch towards the measured noise scale during each run')
    .option('--max-batch <n>', 'with --adaptive-batch: never grow past this', positiveInt)
    .option('--adaptive-every <n>', 'with --adaptive-batch: at most one growth per n steps', positiveInt, 50)
    .option('--backend <name>', `worker processes' backend: ${BACKENDS.join(', ')}`, oneOf(BACKENDS), 'auto')
    .option('--sweep-dir <dir>', 'the sweep directory (default: <out>/<model>-<digest of the settings>, so the same command resumes)')
    .option('--out <dir>', 'where sweep directories go by default', join('runs', 'sweeps'))
    .option('--json', 'print one JSON object per line')
    .action(async (o, cmd: Command) => {
      // At a terminal: one bar over the points, with the running point's step and loss on it.
      const progress = createProgress({
        enabled: wantsBars(Boolean(o.json)),
        format: 'sweep |{bar}| {value}/{total} points · {point} · step {step} · loss {loss}',
        payload: { point: '–', step: 0, loss: '–' },
      });
      const out = outputThrough(createOutput(Boolean(o.json)), progress);
      let finished = 0;
      const simulated = o.simulateWorkers !== undefined;
      if (simulated && cmd.getOptionValueSource('workers') === 'cli') throw new UsageError('give --workers (processes) or --simulate-workers (virtual), not both');
      if (!o.adaptiveBatch && o.maxBatch !== undefined) throw new UsageError('--max-batch only applies with --adaptive-batch');
      const def = getModel(o.model);
      const settings: SweepSettings = {
        model: def.name,
        dataset: o.dataset,
        optimizer: o.optimizer,
        lr: o.lr,
        baseBatch: o.baseBatch,
        lrRule: o.lrRule,
        warmupSteps: o.warmup,
        lrSchedule: o.lrSchedule,
        targetAccuracy: o.targetAccuracy,
        maxSteps: o.maxSteps,
        stopAtTarget: o.stopAtTarget,
        evalEvery: o.evalEvery,
        adaptiveBatch: o.adaptiveBatch ? { maxBatch: o.maxBatch ?? Math.max(1024, ...o.batch), everySteps: o.adaptiveEvery } : undefined,
        fleet: simulated ? 'simulated' : 'processes',
        // Virtual workers compute in this process, on its wasm backend.
        backend: simulated ? 'wasm' : o.backend,
        ...modelSettings(o),
      };
      const grid = sweepGrid(o.batch as number[], (simulated ? o.simulateWorkers : o.workers) as number[], o.seeds as number);
      const dir = o.sweepDir ?? join(o.out, `${def.name}-${settingsKey(settings)}`);
      const command = ['npx shardgrad sweep', ...process.argv.slice(3).map(quote)].join(' ');
      const tag = simulated ? ' (simulated)' : '';
      const stop = onStopSignals();
      try {
        await initNodeBackend('wasm');
        const outcome = await runSweep({
          settings,
          grid,
          dir,
          command,
          signal: stop.signal,
          onStart: ({ dir: d, points, done }) => {
            progress.setTotal(points.length);
            progress.update((finished = done.length));
            out.event({ type: 'sweep-started', dir: d, points: points.map((p) => p.id), done, simulated }, () => `sweep ${d}: ${counted(points.length, 'point')}, ${done.length} already finished${tag}`);
          },
          onSkip: (r) => out.event({ type: 'sweep-point-skipped', point: r.id, runDir: r.runDir }, () => `${r.id}: finished before, skipped`),
          onPointStart: (p) => out.say(`${p.id}: training${tag}…`),
          onPoint: (r) => {
            progress.update(++finished);
            out.event({ type: 'sweep-point', simulated, ...r }, () => describePoint(r));
          },
          onEvent: (p, e) => {
            if (e.type === 'round') progress.update(finished, { point: p.id, step: e.step, loss: e.loss.toFixed(4) });
            if (o.json && LIVE_EVENTS.has(e.type)) out.event({ ...e, point: p.id, simulated });
          },
        });
        progress.stop();
        const noise = sweepNoise(outcome.results);
        out.event(
          { type: 'sweep-finished', dir: outcome.dir, ran: outcome.ran, skipped: outcome.skipped, files: outcome.files, noiseScale: noise.kind === 'measured' ? noise.value : null, noise: noise.kind, simulated },
          () => `done: ${outcome.ran.length} run, ${outcome.skipped.length} skipped; ${noise.kind === 'measured' ? `measured noise scale ≈ ${Math.round(noise.value)}` : NO_NOISE_SCALE[noise.kind]}\nreport: ${join(outcome.dir, REPORT_MD)}`,
        );
      } catch (e) {
        progress.stop();
        if (e instanceof SweepConfigError) throw new UsageError(e.message);
        if (!(e instanceof SweepInterrupted)) throw e;
        out.event({ type: 'sweep-interrupted', signal: e.signal, point: e.point ?? null, dir, finished }, () => null);
        process.stderr.write(`shardgrad: ${interruptedText(e, dir, command)}\n`);
        process.exitCode = SIGNAL_EXIT[e.signal as StopSignal] ?? 130;
      } finally {
        stop.dispose();
      }
    }));
}

/**
 * SIGINT (Ctrl-C) and SIGTERM abort the sweep: the running point stops at its next round boundary,
 * its fleet is stopped and waited for (no worker is left behind), and the command exits 130 or 143.
 * A second signal exits at once; the fleet's exit hook still kills its worker processes.
 */
function onStopSignals(): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  const handlers = (Object.keys(SIGNAL_EXIT) as StopSignal[]).map((name) => {
    const handler = () => {
      if (controller.signal.aborted) process.exit(SIGNAL_EXIT[name]);
      process.stderr.write(`shardgrad: ${name}: stopping the running point and its workers (again to quit at once)…\n`);
      controller.abort(name);
    };
    process.on(name, handler);
    return () => process.off(name, handler);
  });
  return { signal: controller.signal, dispose: () => handlers.forEach((off) => off()) };
}

function interruptedText(e: SweepInterrupted, dir: string, command: string): string {
  const where = e.point ? `during ${e.point}, which is not recorded (its partial run directory was removed)` : 'between points';
  return `sweep interrupted (${e.signal}) ${where}; finished points are kept in ${join(dir, 'sweep.jsonl')}.\nRerun the same command to resume:\n  ${command}`;
}

function describePoint(r: PointResult): string {
  const at = r.reached ? `${r.stepsToTarget} steps to ${(r.targetAccuracy * 100).toFixed(0)}% (${r.timeToTarget!.toFixed(1)} s)` : `target not reached in ${r.steps} steps`;
  const noise = describePointNoise(r);
  return `${r.id}: ${at}, ${Math.round(r.samplesPerSecond)} samples/s, test ${(r.finalTestAccuracy * 100).toFixed(1)}%, gap ${(r.generalizationGap * 100).toFixed(1)}%, ${noise}${r.fleet === 'simulated' ? ' (simulated)' : ''}`;
}

/** The point's noise scale, saying where it was read, or why there is none. */
function describePointNoise(r: PointResult): string {
  const n = pointNoise(r);
  switch (n.kind) {
    case 'at-target':
      return `B_simple at the target ≈ ${Math.round(n.value)}`;
    case 'end-window':
      return `B_simple over the last ${n.window ? n.window.toStep - n.window.fromStep + 1 : 'few'} steps ≈ ${Math.round(n.value)} (target missed)`;
    case 'smoothed':
      return `B_simple ≈ ${Math.round(n.value)} (smoothed over training: the window's |G|² was not positive)`;
    case 'not-positive':
      return 'noise scale undefined: the measured |G|² was not positive (noise dominates; try more steps or larger batches)';
    case 'unmeasured':
      return 'noise scale not measurable with one shard a round (one worker)';
  }
}

/** The model and dataset flags, in the settings only when given: earlier sweeps' digests stay the same. */
function modelSettings(o: Record<string, unknown>): Pick<SweepSettings, 'modelConfig' | 'datasetOptions'> {
  const { modelConfig, datasetOptions } = modelFromFlags(o);
  return {
    modelConfig: Object.keys(modelConfig).length > 0 ? modelConfig : undefined,
    datasetOptions: datasetOptions && Object.keys(datasetOptions).length > 0 ? datasetOptions : undefined,
  };
}
