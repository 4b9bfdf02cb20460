/**
 * What the page's main thread asks of its compute Web Worker, through Comlink. Types only: the main
 * thread imports this file and never tfjs.
 */
import type { RunInfo } from '@shardgrad/protocol';

/** The tfjs backends a tab can use, in the order they are preferred when equally fast. */
export const BROWSER_BACKENDS = ['webgpu', 'webgl', 'wasm', 'cpu'] as const;
export type BrowserBackend = (typeof BROWSER_BACKENDS)[number];

export const isBrowserBackend = (v: unknown): v is BrowserBackend => (BROWSER_BACKENDS as readonly unknown[]).includes(v);

export interface InitRequest {
  run: RunInfo;
  /** The run's training data in the dataset wire format (GET /data/<name>.bin). */
  dataset: Uint8Array;
  /** Absolute URL prefix of the tfjs wasm binaries, with its trailing slash. */
  wasmPrefix?: string;
}

export interface InitReply {
  trainSamples: number;
}

/** One backend's calibration: can it run here, how fast, and does it agree with the cpu backend? */
export interface BackendCalibration {
  backend: BrowserBackend;
  available: boolean;
  samplesPerSecond?: number;
  /** ‖g − g_cpu‖ / ‖g_cpu‖ on the calibration shard. */
  relativeError?: number;
  matches?: boolean;
  /** Why it is unavailable or was refused. */
  error?: string;
  /** wasm: the threads it runs on (more than 1 only when the page is cross-origin isolated). */
  threads?: number;
  /** wasm: whether it runs our SIMD kernels, or why it runs tfjs's alone. */
  kernels?: string;
}

export interface CalibrationReport {
  chosen: BrowserBackend;
  samplesPerSecond: number;
  shardSize: number;
  results: BackendCalibration[];
}

export interface CalibrateRequest {
  /** Backends to try, in preference order; cpu is always measured too, as the reference. */
  candidates: readonly BrowserBackend[];
  /** Use this one if it works and matches, even when another is faster (tests, benchmarks, curiosity). */
  pinned?: BrowserBackend;
}

/**
 * Where a calibration is, sent as each step starts and ends: a slow backend (a CNN on a software GPU,
 * an old phone) can take most of a minute, and the student sees which one and the results so far.
 */
export interface CalibrationProgress {
  /** The backend being measured now; absent once all are done. cpu comes first: it is the reference. */
  testing?: BrowserBackend;
  /** Backends measured so far, in the order they were measured. */
  done: BackendCalibration[];
  /** How many backends this calibration measures in all (cpu included). */
  total: number;
}

export interface ShardReply {
  /** encodeTensors([...grads, ...state]): the bytes the coordinator expects. */
  grads: Uint8Array;
  /** How the gradients in `grads` are encoded (compute's `compress`). */
  encoding: 'none' | 'fp16';
  count: number;
  loss: number;
  metrics: Record<string, number>;
  computeMs: number;
  /** The backend that computed this shard; differs from before when a lost GPU forced a fallback. */
  backend: BrowserBackend;
  fallback?: { from: BrowserBackend; to: BrowserBackend; reason: string; /** `to`'s calibrated speed. */ samplesPerSecond?: number };
}

/**
 * One task's work in one message: the weights (when new), the shard and how to send the result back.
 * One request, so no option can fall between two calls (`compress` once did: the Web Worker dropped it).
 */
export interface ShardRequest {
  /** The round's weights (encodeTensors bytes), when they changed since the last shard. */
  weights?: Uint8Array;
  /** The shard's sample indices as raw uint32 bytes, as they arrive in a task. */
  indices: Uint8Array;
  augmentSeed?: number;
  /** The task's round: it seeds each sample's dropout masks, as every worker and the spot check seed them. */
  round?: number;
  compress?: 'none' | 'fp16';
}

export interface ComputeApi {
  init(req: InitRequest): Promise<InitReply>;
  /** `onProgress` crosses the Web Worker boundary as a Comlink proxy (a top-level argument, so it can). */
  calibrate(req: CalibrateRequest, onProgress?: (p: CalibrationProgress) => void): Promise<CalibrationReport>;
  compute(req: ShardRequest): Promise<ShardReply>;
  /** Test hook: make the current GPU backend lose its context or device, as a crashed driver would. */
  loseDevice(): Promise<BrowserBackend | undefined>;
  backend(): Promise<BrowserBackend | undefined>;
}
