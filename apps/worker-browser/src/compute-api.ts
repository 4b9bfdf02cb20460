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
  calibrate(req: CalibrateRequest): Promise<CalibrationReport>;
  compute(req: ShardRequest): Promise<ShardReply>;
  /** Test hook: make the current GPU backend lose its context or device, as a crashed driver would. */
  loseDevice(): Promise<BrowserBackend | undefined>;
  backend(): Promise<BrowserBackend | undefined>;
}
