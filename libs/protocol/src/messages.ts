import { z } from 'zod';

export const WORKER_KINDS = ['node', 'browser', 'thread'] as const;
export type WorkerKind = (typeof WORKER_KINDS)[number];

/** How a worker sends its gradients (docs/compression.md): raw float32, or compressed with error feedback. */
export const RESULT_ENCODINGS = ['none', 'fp16', 'int8'] as const;
export type ResultEncoding = (typeof RESULT_ENCODINGS)[number];
/** A worker's `--compress` choice; `auto` picks an encoding from its own upload and compute times. */
export const COMPRESS_MODES = [...RESULT_ENCODINGS, 'auto'] as const;
export type CompressMode = (typeof COMPRESS_MODES)[number];

const finite = z.number().finite();
const nonNegInt = z.number().int().nonnegative();
const shortText = (max: number) => z.string().max(max);

/**
 * The speeds a worker may announce, samples per second. Outside this no device computes gradients,
 * and the extremes (1e308, a denormal) overflow or stall the share planning downstream.
 */
export const ANNOUNCED_SPEED_RANGE = { min: 1e-6, max: 1e9 } as const;
/** A shard's compute time may not claim more than a day: beyond it, sums of timings lose their meaning. */
export const MAX_COMPUTE_MS = 86_400_000;
/**
 * The largest |loss| or |metric| a result may report: far beyond any training run's, far below
 * where an epoch's sums of loss × samples would overflow to Infinity.
 */
export const MAX_REPORTED_MAGNITUDE = 1e15;
/** Metrics per result: models report a handful; a record without bound is memory for the asking. */
export const MAX_METRICS = 32;

const announcedSpeed = finite.min(ANNOUNCED_SPEED_RANGE.min).max(ANNOUNCED_SPEED_RANGE.max);
const reported = finite.min(-MAX_REPORTED_MAGNITUDE).max(MAX_REPORTED_MAGNITUDE);

/** First message of every worker; the coordinator answers with a JoinAck. */
export const helloSchema = z.strictObject({
  protocol: nonNegInt,
  kind: z.enum(WORKER_KINDS),
  backend: shortText(32),
  nickname: shortText(40).optional(),
  token: shortText(200).optional(),
  /** Worker's own estimate (samples/s) from a calibration step, if it ran one. */
  samplesPerSecond: announcedSpeed.optional(),
  threads: z.number().int().min(1).max(256).optional(),
  /** The resume key of an earlier connection: the same worker is back after a network drop. */
  resume: shortText(64).optional(),
  /** Its gradient compression choice (absent: none). Each result header says what it actually used. */
  compress: z.enum(COMPRESS_MODES).optional(),
});
export type Hello = z.infer<typeof helloSchema>;

/** Sent once the worker has built the model and loaded the data; its calibrated speed, if it has one. */
export const readySchema = z.object({ samplesPerSecond: announcedSpeed.optional() });
export type Ready = z.infer<typeof readySchema>;

/** What a worker needs to rebuild the model and data locally. */
export interface RunInfo {
  runId: string;
  model: string;
  modelConfig: Record<string, unknown>;
  dataset: string;
  datasetOptions: Record<string, unknown>;
  /** Hash of the trainable tensors' shapes and dtypes; a mismatch means the peer built another model. */
  schemaHash: string;
  batch: number;
  seed: number;
  maxPayloadBytes: number;
}

/** What a token let the worker in as: a worker node (trusted), a student's tab, or anyone (no auth configured). */
export type WorkerRole = 'worker' | 'student' | 'open';

export type JoinAck =
  | { ok: true; workerId: string; run: RunInfo; /** Present again in the next hello after a drop. */ resumeKey?: string; role?: WorkerRole; resumed?: boolean }
  | { ok: false; reason: string; message: string };

/** Work a worker is asked to do. The unit is a discriminated union so later models add kinds. */
export type WorkUnit =
  | { kind: 'samples'; split: 'train'; indices: Uint32Array; augmentSeed?: number }
  | { kind: 'custom'; spec: Record<string, unknown> };

export interface Task {
  runId: string;
  round: number;
  /** Version of the weights the gradient must be computed at. */
  version: number;
  shardId: number;
  unit: WorkUnit;
  /** Encoded weights at `version`, present when the coordinator thinks the worker lacks them. */
  weights?: Uint8Array;
  /** Test hook: the worker sleeps this long before computing (used to emulate slow devices). */
  delayMs?: number;
}

/** Header of a gradient submission; the tensors travel alongside as one binary buffer. */
export const resultHeaderSchema = z.strictObject({
  runId: shortText(64),
  round: nonNegInt,
  version: nonNegInt,
  shardId: nonNegInt,
  /** Weight of this result in the mean: samples for shards, timesteps for episodes. */
  count: z.number().int().positive(),
  loss: reported,
  metrics: z
    .record(shortText(32), reported)
    .refine((m) => Object.keys(m).length <= MAX_METRICS, `at most ${MAX_METRICS} metrics`)
    .optional(),
  schemaHash: shortText(64),
  computeMs: finite.nonnegative().max(MAX_COMPUTE_MS),
  /** The payload's gradient encoding (absent: none); must match what the payload holds. */
  encoding: z.enum(RESULT_ENCODINGS).optional(),
});
export type ResultHeader = z.infer<typeof resultHeaderSchema>;

export type SubmitAck = { ok: true } | { ok: false; reason: string; message: string };

export interface WorkerView {
  id: string;
  kind: WorkerKind;
  backend: string;
  nickname?: string;
  /** Compute threads of a Node worker (`--threads`). */
  threads?: number;
  /** Estimated compute throughput (per extra sample). */
  samplesPerSecond: number;
  /** Estimated fixed compute cost per shard, ms (kernel launches, read-backs). */
  fixedMs?: number;
  /** Fraction of the last round's batch planned for it. */
  share: number;
  rounds: number;
  samples: number;
  errors: number;
  /** Submissions refused, by reason code (the harmless ones included). */
  rejects?: Record<string, number>;
  /** Set once a spot check caught it returning a wrong gradient. */
  flagged?: boolean;
  /** Its `--compress` choice, as announced in hello (absent: none). */
  compress?: CompressMode;
  /** The encoding and size of its last accepted result: what its link actually carries per round. */
  encoding?: ResultEncoding;
  resultBytes?: number;
  lastSeen: number;
  status: 'idle' | 'busy' | 'gone';
}

export interface RoundEvent {
  type: 'round';
  round: number;
  step: number;
  epoch: number;
  loss: number;
  metrics: Record<string, number>;
  samples: number;
  roundMs: number;
  /** Of roundMs, the coordinator's own work: dispatch, result checks, aggregation, optimizer, noise scale. */
  coordinatorMs: number;
  workers: number;
  reassigned: number;
}
