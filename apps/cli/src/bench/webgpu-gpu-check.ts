/**
 * WebGPU (Dawn) check and gradient bench for one machine: which adapter Dawn picks, whether the
 * webgpu backend's gradients of the registry's mnist-mlp and cnn match the cpu backend's at the
 * same weights and data, and gradient samples/s at several batch sizes on webgpu, wasm and cpu.
 *
 * Run here:   npx tsx apps/cli/src/bench/webgpu-gpu-check.ts
 * On a box without Node (a lent GPU machine): bash scripts/build-gpu-check.sh builds a bundle;
 * docs/benchmarks-gpu.md has the command. Prints one JSON object per line; writes the summary to
 * $GPU_CHECK_OUT, else $OUT/gpu-check.json when OUT is set, else runs/bench/gpu-check.json.
 *
 * Env: GPU_CHECK_BATCHES (default 64,256,1024), GPU_CHECK_BACKENDS (default
 * webgpu,webgpu-tfjs-filter-grad,wasm,cpu; the second is webgpu with tfjs's own Conv2D filter gradient;
 * webgpu-patches-filter-grad is webgpu with session 10's patch product for it),
 * GPU_CHECK_MODELS (default mnist-mlp,cnn), GPU_CHECK_SECONDS (timed seconds per row, default 2),
 * GPU_CHECK_BUDGET_S (past this many seconds only the first batch's rows run; default 300),
 * GPU_CHECK_MAX_STEP_S (a row whose step would take longer, extrapolated from the last batch, is
 * skipped; default 10: the cpu backend's cnn takes about a minute per step at batch 64).
 * GPU_CHECK_WASM_MAX_PEAK_GB (default 4): a wasm row whose tensors would peak above this is skipped,
 * since tfjs's wasm heap stops at 4 GiB and the backend hangs past it (the cnn at 4,096 samples did).
 * GPU_CHECK_PROFILE_BATCH (default 1024; 0 = off): after webgpu's rows, one step of each model at this
 * batch under tf.profile, its kernels summed by name (GPU time where the adapter has timestamp queries).
 * GPU_CHECK_CPU_PROFILE=1 adds, to each profile, V8's sampling profile of three more steps: the
 * functions with the most self time (idle included, as "(idle)", when the CPU waits for the GPU).
 * GPU_CHECK_REQUIRE_WEBGPU=1 stops at once when the webgpu backend does not start (saves a lent
 * machine's time). Gradients are compared with the cpu backend's, or with wasm's (which matches cpu's to ~1e-6)
 * where cpu was too slow to run that batch.
 * GPU_CHECK_SAVE_DIR writes each cpu gradient there as <model>-<batch>-cpu.f32; GPU_CHECK_REFERENCE_DIR
 * reads such files as the cpu reference for rows this run does not compute on cpu (a fast machine has
 * no minutes for the cpu backend's cnn at batch 1024, and batch norm makes a big batch's gradient differ
 * from the mean of small ones, so only the cpu backend at that very batch is a fair reference).
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { setWebgpuFilterGradMethod } from '@shardgrad/backends';
import { cpuSelfTimes } from './cpu-profile.ts';
import { disposeNodeBackend, initNodeBackend, type NodeBackendName } from '@shardgrad/backends/node';
import { relativeError as maxRelativeError, seededValues } from '@shardgrad/backends/testing';
import type { Dataset } from '@shardgrad/data';
import { type ModelDefinition, cnn, mnistMlp, sparseCategoricalCrossentropy } from '@shardgrad/models';
import { computeGradients, computeGradientsAsync, peakBytesPerSample, type ShardGradients } from '@shardgrad/trainer';

/** The browser calibration's bar (apps/worker-browser/src/gradient-match.ts): ‖g − g_cpu‖₂ / ‖g_cpu‖₂. */
const GRADIENT_TOLERANCE = 1e-4;

const list = (v: string | undefined, d: string) => (v ?? d).split(',').map((s) => s.trim()).filter(Boolean);
const BATCHES = list(process.env.GPU_CHECK_BATCHES, '64,256,1024').map(Number);
/** webgpu with tfjs-backend-webgpu's own Conv2D filter gradient instead of our patch product (A/B in one run). */
const WEBGPU_TFJS_FILTER_GRAD = 'webgpu-tfjs-filter-grad';
/** webgpu with session 10's patch product as the Conv2D filter gradient (A/B against the default chunked sums). */
const WEBGPU_PATCHES_FILTER_GRAD = 'webgpu-patches-filter-grad';
const BACKENDS = list(process.env.GPU_CHECK_BACKENDS, `webgpu,${WEBGPU_TFJS_FILTER_GRAD},wasm,cpu`);
const engineOf = (backend: string): NodeBackendName =>
  backend === WEBGPU_TFJS_FILTER_GRAD || backend === WEBGPU_PATCHES_FILTER_GRAD ? 'webgpu' : (backend as NodeBackendName);
const MODEL_NAMES = list(process.env.GPU_CHECK_MODELS, 'mnist-mlp,cnn');
const SECONDS = Number(process.env.GPU_CHECK_SECONDS ?? 2);
const BUDGET_S = Number(process.env.GPU_CHECK_BUDGET_S ?? 300);
const MAX_STEP_S = Number(process.env.GPU_CHECK_MAX_STEP_S ?? 10);
const SAVE_DIR = process.env.GPU_CHECK_SAVE_DIR;
const REFERENCE_DIR = process.env.GPU_CHECK_REFERENCE_DIR;
const OUT_FILE = process.env.GPU_CHECK_OUT ?? (process.env.OUT ? `${process.env.OUT}/gpu-check.json` : 'runs/bench/gpu-check.json');

const SEED = 1;
const INPUT = [28, 28, 1];
const PROFILE_BATCH = Number(process.env.GPU_CHECK_PROFILE_BATCH ?? 1024);
const WASM_MAX_PEAK_BYTES = Number(process.env.GPU_CHECK_WASM_MAX_PEAK_GB ?? 4) * 1e9;
const MODEL_DEFS: Record<string, { def: ModelDefinition; config: Record<string, unknown> }> = {
  'mnist-mlp': { def: mnistMlp, config: {} },
  // The registry's cnn with its default batch norm; dropout off, since its mask is random per backend.
  cnn: { def: cnn, config: { batchNorm: true, dropout: 0 } },
};
const MODELS: Record<string, () => tf.LayersModel> = Object.fromEntries(
  Object.entries(MODEL_DEFS).map(([name, { def, config }]) => [name, () => def.build({ inputShape: INPUT, numClasses: 10, seed: SEED, config })]),
);

/** Sixteen seeded rows: enough for peakBytesPerSample's two probe passes. */
function probeDataset(): Dataset {
  const n = 16;
  const split = { x: Float32Array.from(seededValues(n * 784, 3), (v) => v + 0.5), y: Float32Array.from({ length: n }, (_, i) => i % 10), n };
  return { name: 'probe', inputShape: INPUT, labelSize: 1, numClasses: 10, train: split, test: split };
}
/** Peak tensor bytes per sample of each model's pass, measured on wasm before its rows. */
const peakPerSample: Record<string, number> = {};
const DEF = { loss: sparseCategoricalCrossentropy, metrics: {} };

const started = performance.now();
const elapsed = () => (performance.now() - started) / 1000;
const summary: Record<string, unknown> = { date: new Date().toISOString(), node: process.version, tfjs: tf.version_core, rows: [] as unknown[] };
const rows = summary.rows as Array<Record<string, unknown>>;

function emit(line: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify(line)}\n`);
}
function save(): void {
  mkdirSync(dirname(OUT_FILE), { recursive: true });
  writeFileSync(OUT_FILE, `${JSON.stringify(summary, null, 2)}\n`);
}

/** ‖a − b‖₂ / ‖b‖₂. */
function l2RelativeError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Infinity;
  let d = 0;
  let n = 0;
  for (let i = 0; i < a.length; i++) {
    d += (a[i]! - b[i]!) ** 2;
    n += b[i]! ** 2;
  }
  const e = Math.sqrt(n > 0 ? d / n : d);
  return Number.isFinite(e) ? e : Infinity;
}

function flatten(g: ShardGradients): Float32Array {
  const out = new Float32Array(g.grads.reduce((s, t) => s + t.data.length, 0));
  let off = 0;
  for (const t of g.grads) {
    out.set(t.data, off);
    off += t.data.length;
  }
  return out;
}

/** Weights every backend starts from: built once on cpu, then copied in. */
const initialWeights: Record<string, Float32Array[]> = {};
/** First (warm-up) gradient per model/batch/backend, flattened. */
const gradients: Record<string, Float32Array> = {};

async function adapterInfo(): Promise<Record<string, unknown>> {
  const gpu = (globalThis as unknown as { navigator?: { gpu?: GPU } }).navigator?.gpu;
  const adapter = await gpu?.requestAdapter({ powerPreference: 'high-performance' });
  if (!adapter) return { error: 'no adapter' };
  const { vendor, architecture, device, description } = adapter.info;
  const l = adapter.limits;
  return {
    vendor,
    architecture,
    device,
    description,
    features: [...adapter.features].sort(),
    limits: { maxBufferSize: l.maxBufferSize, maxStorageBufferBindingSize: l.maxStorageBufferBindingSize, maxComputeWorkgroupSizeX: l.maxComputeWorkgroupSizeX, maxComputeInvocationsPerWorkgroup: l.maxComputeInvocationsPerWorkgroup },
  };
}

async function measure(backend: string, modelName: string, batch: number): Promise<Record<string, unknown>> {
  const model = MODELS[modelName]!();
  model.setWeights(model.getWeights().map((w, i) => tf.tensor(initialWeights[modelName]![i]!, w.shape)));
  const x = tf.tensor(seededValues(batch * 784, 7 + batch).map((v) => v + 0.5), [batch, ...INPUT]);
  const y = tf.tensor(Array.from({ length: batch }, (_, i) => (i * 7) % 10), [batch, 1]);
  // As in training: WebGPU reads asynchronously (Node has no synchronous read for it), the others synchronously.
  const step = engineOf(backend) === 'webgpu' ? () => computeGradientsAsync(model, DEF, x, y) : async () => computeGradients(model, DEF, x, y);
  try {
    let t0 = performance.now();
    const first = await step();
    const firstMs = performance.now() - t0;
    gradients[`${modelName}/${batch}/${backend}`] = flatten(first);
    if (backend === 'cpu' && SAVE_DIR) {
      mkdirSync(SAVE_DIR, { recursive: true });
      writeFileSync(referenceFile(SAVE_DIR, modelName, batch), flatten(first));
    }
    const times: number[] = [];
    if (engineOf(backend) !== 'webgpu' && firstMs > 5 * SECONDS * 1000) {
      // A step this long (cpu's cnn) is its own timing: warm-up is noise beside it. Not on webgpu,
      // whose first step compiles every shader.
      times.push(firstMs);
    } else {
      // One more untimed step: the first compiles shaders (webgpu) and warms caches.
      await step();
      // Then SECONDS of steps, at least 3 (one where a step takes longer than SECONDS).
      const minSteps = firstMs > SECONDS * 1000 ? 1 : 3;
      t0 = performance.now();
      while (times.length < minSteps || (performance.now() - t0 < SECONDS * 1000 && times.length < 200)) {
        const t = performance.now();
        await step();
        times.push(performance.now() - t);
      }
    }
    const sorted = [...times].sort((a, b) => a - b);
    const median = sorted[Math.floor(sorted.length / 2)]!;
    const mean = times.reduce((s, t) => s + t, 0) / times.length;
    return {
      backend,
      model: modelName,
      batch,
      steps: times.length,
      first_ms: +firstMs.toFixed(1),
      median_ms: +median.toFixed(2),
      samples_per_s: +((batch / median) * 1000).toFixed(1),
      mean_samples_per_s: +((batch / mean) * 1000).toFixed(1),
      loss: first.loss,
    };
  } finally {
    tf.dispose([x, y]);
    model.dispose();
  }
}

const referenceFile = (dir: string, model: string, batch: number) => join(dir, `${model}-${batch}-cpu.f32`);

/** A cpu gradient saved by an earlier run (GPU_CHECK_SAVE_DIR), as the cpu row of this one. */
function loadSavedReferences(): void {
  if (!REFERENCE_DIR) return;
  for (const name of MODEL_NAMES) {
    for (const batch of BATCHES) {
      const file = referenceFile(REFERENCE_DIR, name, batch);
      if (gradients[`${name}/${batch}/cpu`] || !existsSync(file)) continue;
      const bytes = readFileSync(file);
      gradients[`${name}/${batch}/cpu`] = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
      emit({ type: 'reference', model: name, batch, from: file });
    }
  }
}

/**
 * Gradients against cpu's (else wasm's) at the same weights and data. Rerun after every row, so a
 * run stopped early still reports what it could compare.
 */
function updateChecks(): void {
  const checks: Array<Record<string, unknown>> = [];
  for (const name of MODEL_NAMES) {
    for (const batch of BATCHES) {
      const reference = ['cpu', 'wasm'].find((b) => gradients[`${name}/${batch}/${b}`]);
      if (!reference) continue;
      const ref = gradients[`${name}/${batch}/${reference}`]!;
      for (const backend of BACKENDS.filter((b) => b !== 'cpu' && b !== reference)) {
        const g = gradients[`${name}/${batch}/${backend}`];
        if (!g) continue;
        const l2 = l2RelativeError(g, ref);
        checks.push({ type: 'gradient', model: name, batch, backend, reference, l2_relative_error: l2, max_relative_error: maxRelativeError(g, ref), matches: l2 <= GRADIENT_TOLERANCE, tolerance: GRADIENT_TOLERANCE });
      }
    }
  }
  summary.gradient_checks = checks;
  summary.gradients_match = checks.length > 0 && checks.every((c) => c.matches);
}

/** Prints the final comparisons. */
function emitChecks(): void {
  for (const c of summary.gradient_checks as Array<Record<string, unknown>>) emit(c);
}

/** Where one step's time goes, by kernel name: the slowest first, with the shapes of their first calls. */
async function profileStep(backend: string, modelName: string, batch: number): Promise<Record<string, unknown>> {
  const model = MODELS[modelName]!();
  const x = tf.tensor(seededValues(batch * 784, 7 + batch).map((v) => v + 0.5), [batch, ...INPUT]);
  const y = tf.tensor(Array.from({ length: batch }, (_, i) => (i * 7) % 10), [batch, 1]);
  try {
    await computeGradientsAsync(model, DEF, x, y);
    const t0 = performance.now();
    const info = await tf.profile(async () => {
      await computeGradientsAsync(model, DEF, x, y);
    });
    const wallMs = performance.now() - t0;
    const byName = new Map<string, { ms: number; calls: number; shapes: string[] }>();
    for (const k of info.kernels) {
      const e = byName.get(k.name) ?? { ms: 0, calls: 0, shapes: [] };
      e.ms += typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0;
      e.calls++;
      if (e.shapes.length < 3) e.shapes.push(JSON.stringify(k.inputShapes));
      byName.set(k.name, e);
    }
    const kernelMs = [...byName.values()].reduce((s, e) => s + e.ms, 0);
    const cpu =
      process.env.GPU_CHECK_CPU_PROFILE === '1'
        ? await cpuSelfTimes(async () => {
            for (let i = 0; i < 3; i++) await computeGradientsAsync(model, DEF, x, y);
          })
        : undefined;
    const top = [...byName.entries()].sort((a, b) => b[1].ms - a[1].ms).slice(0, 12);
    return {
      type: 'profile', backend, model: modelName, batch, wall_ms: +wallMs.toFixed(1), kernel_ms: +kernelMs.toFixed(1), kernels: info.kernels.length,
      top: top.map(([name, e]) => ({ name, ms: +e.ms.toFixed(2), share: +(e.ms / kernelMs).toFixed(3), calls: e.calls, shapes: e.shapes })),
      ...(cpu && { cpu_profile_3_steps: cpu }),
    };
  } finally {
    tf.dispose([x, y]);
    model.dispose();
  }
}

async function main(): Promise<void> {
  // Reference weights, built on cpu.
  await initNodeBackend('cpu');
  for (const name of MODEL_NAMES) {
    const m = MODELS[name]!();
    initialWeights[name] = m.getWeights().map((w) => w.dataSync().slice() as Float32Array);
    summary[`params_${name}`] = m.countParams();
    m.dispose();
  }

  loadSavedReferences();
  for (const backend of BACKENDS) {
    let info;
    try {
      info = await initNodeBackend(engineOf(backend));
      setWebgpuFilterGradMethod(backend === WEBGPU_TFJS_FILTER_GRAD ? 'tfjs' : backend === WEBGPU_PATCHES_FILTER_GRAD ? 'patches' : 'chunks');
    } catch (e) {
      const line = { type: 'backend', backend, error: (e as Error).message };
      emit(line);
      (summary.backends ??= {} as Record<string, unknown>);
      (summary.backends as Record<string, unknown>)[backend] = line;
      save();
      if (backend === 'webgpu' && process.env.GPU_CHECK_REQUIRE_WEBGPU === '1') throw e;
      continue;
    }
    const line: Record<string, unknown> = { type: 'backend', backend, detail: info.detail };
    if (engineOf(backend) === 'webgpu') {
      line.adapter = await adapterInfo();
      summary.adapter = line.adapter;
    }
    emit(line);
    (summary.backends ??= {} as Record<string, unknown>);
    (summary.backends as Record<string, unknown>)[backend] = line;
    save();
    if (backend === 'wasm') {
      for (const name of MODEL_NAMES) {
        peakPerSample[name] = await peakBytesPerSample(MODEL_DEFS[name]!.def, probeDataset(), MODEL_DEFS[name]!.config);
        summary[`peak_bytes_per_sample_${name}`] = Math.round(peakPerSample[name]!);
      }
    }
    for (const name of MODEL_NAMES) {
      let last: { batch: number; ms: number } | undefined;
      for (const batch of BATCHES) {
        const predictedS = last ? (last.ms * batch) / last.batch / 1000 : 0;
        const peak = batch * (peakPerSample[name] ?? 0);
        if (backend === 'wasm' && peak > WASM_MAX_PEAK_BYTES) {
          const skip = { type: 'row', backend, model: name, batch, skipped: `tensors would peak at ~${(peak / 1e9).toFixed(1)} GB, past the wasm heap's 4 GiB` };
          emit(skip);
          rows.push(skip);
          continue;
        }
        if (predictedS > MAX_STEP_S) {
          const skip = { type: 'row', backend, model: name, batch, skipped: `a step would take ~${predictedS.toFixed(0)} s (over ${MAX_STEP_S} s)` };
          emit(skip);
          rows.push(skip);
          continue;
        }
        // Past the budget only the batch-64 rows still run (cpu's are the gradient reference).
        if (elapsed() > BUDGET_S && batch !== BATCHES[0]) {
          const skip = { type: 'row', backend, model: name, batch, skipped: `budget ${BUDGET_S}s spent` };
          emit(skip);
          rows.push(skip);
          continue;
        }
        try {
          const measured = await measure(backend, name, batch);
          const row = { type: 'row', ...measured, t_s: +elapsed().toFixed(1) };
          last = { batch, ms: measured.median_ms as number };
          emit(row);
          rows.push(row);
        } catch (e) {
          const row = { type: 'row', backend, model: name, batch, error: (e as Error).message };
          emit(row);
          rows.push(row);
        }
        updateChecks();
        save();
      }
    }
    if (backend === 'webgpu' && PROFILE_BATCH > 0) {
      for (const name of MODEL_NAMES) {
        try {
          const p = await profileStep(backend, name, PROFILE_BATCH);
          emit(p);
          (summary.profiles ??= [] as unknown[]);
          (summary.profiles as unknown[]).push(p);
        } catch (e) {
          emit({ type: 'profile', backend, model: name, batch: PROFILE_BATCH, error: (e as Error).message });
        }
        save();
      }
    }
  }

  updateChecks();
  emitChecks();
  summary.total_s = +elapsed().toFixed(1);
  save();
  emit({ type: 'done', gradients_match: summary.gradients_match, total_s: summary.total_s, out: OUT_FILE });
  await disposeNodeBackend();
}

main().catch((e: unknown) => {
  emit({ type: 'error', error: e instanceof Error ? `${e.message}\n${e.stack}` : String(e) });
  summary.error = String(e);
  save();
  process.exitCode = 1;
});
