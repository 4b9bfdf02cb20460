/**
 * The tab's compute engine, run inside the Web Worker: holds the model and the data, calibrates
 * the backends, turns shards into encoded gradients, and moves to the next backend when a GPU is
 * lost. No Comlink and no DOM here, so it also runs (on cpu and wasm) under Node in tests.
 */
import * as tf from '@tensorflow/tfjs';
import { ErrorFeedback, decodeTensors, encodeTensors, indicesFromBytes, schemaHash, type TensorData } from '@shardgrad/codec';
import { decodeDatasetWire, type Dataset } from '@shardgrad/data';
import { getModel, type ModelDefinition } from '@shardgrad/models';
import type { RunInfo } from '@shardgrad/protocol';
import { ShardComputer, allSpecs, readAll, roundSeed } from '@shardgrad/trainer';
import { Backends } from './backends.ts';
import { CALIBRATION_MAX_ROWS, chooseBackend, measureShard, withCalibrationMasks, type CalibrationShard } from './calibration.ts';
import {
  BROWSER_BACKENDS,
  type BackendCalibration,
  type BrowserBackend,
  type CalibrateRequest,
  type CalibrationProgress,
  type CalibrationReport,
  type InitReply,
  type InitRequest,
  type ShardReply,
  type ShardRequest,
} from './compute-api.ts';
import { flatten } from './gradient-match.ts';

interface Engine {
  backend: BrowserBackend;
  model: tf.LayersModel;
  computer: ShardComputer;
}

const nextTask = () => new Promise((r) => setTimeout(r, 0));

export class TabCompute {
  private run?: RunInfo;
  private def?: ModelDefinition;
  private dataset?: Dataset;
  private backends?: Backends;
  private engine?: Engine;
  private shard?: CalibrationShard;
  private calibrations = new Map<BrowserBackend, BackendCalibration>();
  /** The weights last set, to carry onto a fallback backend. */
  private weights?: TensorData[];
  /** Residuals of fp16 gradients (docs/compression.md); keyed by run, so a new run starts clean. */
  private feedback = new ErrorFeedback();

  async init(req: InitRequest): Promise<InitReply> {
    this.disposeEngine();
    this.calibrations.clear();
    this.shard = undefined;
    this.weights = undefined;
    this.feedback.reset();
    const def = getModel(req.run.model);
    const dataset = decodeDatasetWire(req.dataset);
    if (dataset.name !== req.run.dataset) throw new Error(`downloaded dataset "${dataset.name}", the run trains on "${req.run.dataset}"`);
    if (dataset.train.n === 0) throw new Error(`dataset "${dataset.name}" arrived without training rows`);
    this.backends ??= new Backends(req.wasmPrefix);
    this.run = req.run;
    this.def = def;
    this.dataset = dataset;
    return { trainSamples: dataset.train.n };
  }

  /** Tries each candidate on one shard, keeps the fastest whose gradient matches cpu's. */
  async calibrate(req: CalibrateRequest, onProgress: (p: CalibrationProgress) => void = () => undefined): Promise<CalibrationReport> {
    const { run, dataset } = this.requireInit();
    this.disposeEngine();
    this.calibrations.clear();
    const others = [...new Set(req.candidates)].filter((b) => b !== 'cpu');
    const report = (testing?: BrowserBackend) => onProgress({ testing, done: [...this.calibrations.values()], total: others.length + 1 });
    const n = Math.min(run.batch, dataset.train.n, CALIBRATION_MAX_ROWS);
    // The first rows of the split: any rows do, and these need no randomness.
    const indices = Uint32Array.from({ length: n }, (_, i) => i);
    report('cpu');
    const cpu = await this.buildEngine('cpu');
    const weights = readAll(cpu.model);
    const augmentSeed = run.seed;
    const reference = flatten((await withCalibrationMasks(cpu.computer, () => cpu.computer.compute(indices, augmentSeed))).grads);
    this.shard = { indices, weights, reference, augmentSeed };
    this.calibrations.set('cpu', await measureShard('cpu', cpu.computer, this.shard));
    const engines = new Map<BrowserBackend, Engine>([['cpu', cpu]]);
    for (const b of others) {
      report(b);
      const m = await this.measure(b);
      this.calibrations.set(b, m.calibration);
      if (m.engine) engines.set(b, m.engine);
    }
    report();
    const results = BROWSER_BACKENDS.map((b) => this.calibrations.get(b)).filter((r): r is BackendCalibration => r !== undefined);
    const chosen = chooseBackend(results, req.pinned);
    for (const [b, e] of engines) if (b !== chosen.backend) disposeEngine(e);
    this.engine = engines.get(chosen.backend)!;
    await tf.setBackend(chosen.backend);
    return { chosen: chosen.backend, samplesPerSecond: chosen.samplesPerSecond!, shardSize: n, results };
  }

  private async setWeights(bytes: Uint8Array): Promise<void> {
    const tensors = decodeTensors(bytes);
    (await this.activeEngine()).computer.setWeights(tensors);
    this.weights = tensors;
  }

  async compute({ weights, indices: indexBytes, augmentSeed, round, compress = 'none' }: ShardRequest): Promise<ShardReply> {
    const { run, dataset } = this.requireInit();
    if (weights) await this.setWeights(weights);
    const indices = indicesFromBytes(indexBytes);
    const taskSeed = round === undefined ? undefined : roundSeed(run.seed, round);
    for (const i of indices) if (i >= dataset.train.n) throw new RangeError(`sample ${i} is outside the training split (n = ${dataset.train.n})`);
    let fallback: ShardReply['fallback'];
    for (;;) {
      const engine = await this.activeEngine();
      const from = engine.backend;
      const lost = this.backends!.lostReason(from);
      if (lost) {
        fallback = await this.fallBack(from, lost);
        continue;
      }
      let g: ReturnType<ShardComputer['compute']>;
      const t0 = performance.now();
      try {
        // WebGPU reads back asynchronously (its synchronous read goes through a canvas); the
        // others read synchronously, which for WebGL avoids polling a fence.
        g = from === 'webgpu' ? await engine.computer.computeAsync(indices, augmentSeed, taskSeed) : engine.computer.compute(indices, augmentSeed, taskSeed);
      } catch (e) {
        if (from === 'cpu') throw e;
        const reason = `${from} failed: ${(e as Error).message}`;
        fallback = await this.fallBack(from, reason);
        continue;
      }
      const computeMs = performance.now() - t0;
      // A lost device may hand back zeros rather than throw: let a pending loss notice arrive, then
      // check, and recompute elsewhere rather than send a gradient nobody can trust.
      if (from === 'webgpu') await nextTask();
      const lostDuring = this.backends!.lostReason(from);
      if (lostDuring) {
        fallback = await this.fallBack(from, lostDuring);
        continue;
      }
      // A copy: the codec's bytes may be a view of a larger buffer, and this one gets transferred.
      // Only the gradients are compressed; batch-norm state is averaged as it is.
      const sent = compress === 'none' ? g.grads : this.feedback.compress(`${run.runId}/${run.schemaHash}`, g.grads, compress, g.count);
      const grads = encodeTensors([...sent, ...g.state]).slice();
      return { grads, encoding: compress, count: g.count, loss: g.loss, metrics: g.metrics, computeMs, backend: from, ...(fallback ? { fallback } : {}) };
    }
  }

  async loseDevice(): Promise<BrowserBackend | undefined> {
    const b = this.engine?.backend;
    return b && this.backends?.loseForTest(b) ? b : undefined;
  }

  async backend(): Promise<BrowserBackend | undefined> {
    return this.engine?.backend;
  }

  /**
   * Moves off a lost backend to the fastest matching backend after it in the preference order,
   * calibrating any not measured yet. cpu is the last resort and never lost.
   */
  private async fallBack(from: BrowserBackend, reason: string): Promise<NonNullable<ShardReply['fallback']>> {
    this.backends!.markLost(from, reason);
    this.disposeEngine();
    const after = BROWSER_BACKENDS.slice(BROWSER_BACKENDS.indexOf(from) + 1);
    const engines = new Map<BrowserBackend, Engine>();
    for (const b of after) {
      if (this.calibrations.has(b) || this.backends!.lostReason(b)) continue;
      const m = await this.measure(b);
      this.calibrations.set(b, m.calibration);
      if (m.engine) engines.set(b, m.engine);
    }
    const usable = after.map((b) => this.calibrations.get(b)).filter((r): r is BackendCalibration => !!r && !this.backends!.lostReason(r.backend));
    const to = usable.length > 0 ? chooseBackend(usable).backend : 'cpu';
    for (const [b, e] of engines) if (b !== to) disposeEngine(e);
    const engine = engines.get(to) ?? (await this.buildEngine(to));
    if (this.weights) engine.computer.setWeights(this.weights);
    this.engine = engine;
    return { from, to, reason, samplesPerSecond: this.calibrations.get(to)?.samplesPerSecond };
  }

  /** Activates `b`, builds the model there and calibrates it; the engine is kept for the caller. */
  private async measure(b: BrowserBackend): Promise<{ calibration: BackendCalibration; engine?: Engine }> {
    const activation = await this.backends!.activate(b);
    if (!activation.ok) return { calibration: { backend: b, available: false, error: activation.error } };
    let engine: Engine | undefined;
    try {
      engine = await this.buildEngine(b);
      const calibration = await measureShard(b, engine.computer, this.shard!);
      if (b === 'wasm') Object.assign(calibration, { threads: this.backends!.wasmThreads(), kernels: this.backends!.wasmKernelsStatus() });
      return { calibration, engine };
    } catch (e) {
      if (engine) disposeEngine(engine);
      this.backends!.markLost(b, (e as Error).message);
      return { calibration: { backend: b, available: false, error: (e as Error).message } };
    }
  }

  private async buildEngine(b: BrowserBackend): Promise<Engine> {
    const { run, def, dataset } = this.requireInit();
    const activation = await this.backends!.activate(b);
    if (!activation.ok) throw new Error(`${b}: ${activation.error}`);
    const model = def.build({ inputShape: dataset.inputShape, numClasses: dataset.numClasses, seed: run.seed, config: run.modelConfig });
    const hash = schemaHash(allSpecs(model));
    if (hash !== run.schemaHash) {
      model.dispose();
      throw new Error(`this page's model ${run.model} has schema ${hash}, the run's is ${run.schemaHash}: reload the page`);
    }
    return { backend: b, model, computer: new ShardComputer(def, dataset, model, run.modelConfig) };
  }

  private requireInit() {
    if (!this.run || !this.def || !this.dataset || !this.backends) throw new Error('init() must come first');
    return { run: this.run, def: this.def, dataset: this.dataset };
  }

  /** The engine, with its backend the active one (kernels run on whichever backend is active). */
  private async activeEngine(): Promise<Engine> {
    if (!this.engine) throw new Error('calibrate() must come first');
    if (tf.getBackend() !== this.engine.backend) await tf.setBackend(this.engine.backend);
    return this.engine;
  }

  private disposeEngine(): void {
    if (this.engine) disposeEngine(this.engine);
    this.engine = undefined;
  }
}

function disposeEngine(e: Engine): void {
  try {
    e.model.dispose();
  } catch {
    // A lost GPU cannot free its textures; they went with the context.
  }
}
