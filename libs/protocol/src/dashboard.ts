import { z } from 'zod';
import type { WorkerView } from './messages.ts';

/**
 * Wire types of the classroom: the teacher's dashboard (socket.io namespace `/dashboard`), the
 * students' class stats (namespace `/class`) and the run controls (HTTP, behind the teacher token).
 * Both namespaces only ever send; nothing a viewer emits is acted on.
 */
export const DASHBOARD_NAMESPACE = '/dashboard';
export const CLASS_NAMESPACE = '/class';

export type RunState = 'waiting' | 'training' | 'paused' | 'stopping' | 'finished';

export interface DashboardRun {
  runId: string;
  model: string;
  dataset: string;
  batch: number;
  optimizer: string;
  /** This step's rate: the base rate scaled by the schedule and warm-up, when the run has them. */
  learningRate: number;
  /** The rate the schedule scales, and the one the teacher's set-lr changes (absent: older servers). */
  baseLearningRate?: number;
  /** The run's learning-rate schedule, when it has one (absent: none, or a server that does not say). */
  lrSchedule?: LrScheduleView;
  parameters: number;
  state: RunState;
  step: number;
  /** Set while the run waits for workers before it can start (or go on). */
  waitingFor?: WorkersWaitedFor;
  /** Models the teacher may start a new run with. */
  models: { name: string; summary: string; datasets: string[]; defaults?: ModelRunDefaults }[];
}

/** A schedule in the registry's string form (`cosine`, `step:3:0.5`…) and its steps of linear warm-up. */
export interface LrScheduleView {
  schedule?: string;
  warmupSteps?: number;
}

/** What a new run of a model uses unless the teacher says otherwise. */
export interface ModelRunDefaults {
  batch: number;
  optimizer: string;
  learningRate: number;
  lrSchedule?: LrScheduleView;
}

/** Training waits for `needed` workers and has `have`: "waiting for 1 more worker (2 needed to start)". */
export interface WorkersWaitedFor {
  needed: number;
  have: number;
  /** True before the run's first step, false when it waits to go on (every worker left). */
  toStart: boolean;
}

/**
 * One point of a curve. Train points come every round, validation and test points now and then;
 * `test-sample` points are the first rows of the test split, the live curve of a run without a
 * validation split.
 */
export interface MetricPoint {
  step: number;
  split: 'train' | 'validation' | 'test' | 'test-sample';
  /** Seconds since the epoch, for throughput and the time axis. */
  wallTime: number;
  loss: number;
  metrics: Record<string, number>;
  /** Train points: samples of this round divided by its wall time. */
  samplesPerSecond?: number;
}

/** A gauge that another part of shardgrad may report (the gradient noise scale, for one). */
export interface ScalarPoint {
  name: string;
  step: number;
  value: number;
}

export interface JoinInfo {
  /** What students open: the join page. */
  url: string;
  /** Short code shown beside the QR code, for typing. */
  code?: string;
}

/** A picture of what the model does now, drawn on the dashboard as pixels (nearest-neighbour). */
export interface PreviewImage {
  kind: 'predictions' | 'decision-boundary' | 'samples' | 'reconstructions';
  title: string;
  step: number;
  width: number;
  height: number;
  /** width * height * 4 bytes, row-major RGBA. */
  rgba: Uint8Array;
  /** Labels drawn over cells of the image, in image pixels. */
  captions?: { x: number; y: number; text: string; ok?: boolean }[];
}

export interface ContributionRow {
  workerId: string;
  /** The worker's display name: its nickname, else the first 8 characters of its id (`w-6b9d6e`). */
  nickname: string;
  kind: string;
  samples: number;
  rounds: number;
  minutes: number;
  live: boolean;
}

export interface ClassStats {
  runId: string;
  model: string;
  state: RunState;
  step: number;
  /** The global batch now: the teacher may change it during the run. */
  batch?: number;
  /** Set while the run waits for more workers (e.g. `--min-workers 2` and one tab joined). */
  waitingFor?: WorkersWaitedFor;
  total: { samples: number; rounds: number; workers: number; minutes: number };
  /** Every worker of this run, most samples first (the leaderboard). */
  rows: ContributionRow[];
}

export interface DashboardSnapshot {
  run: DashboardRun;
  /** Only for the teacher where joining takes a code: whoever reads the code can join. */
  join?: JoinInfo;
  history: MetricPoint[];
  scalars: ScalarPoint[];
  workers: WorkerView[];
  preview?: PreviewImage;
  log: string[];
}

export interface DashboardServerEvents {
  snapshot: (s: DashboardSnapshot) => void;
  run: (r: DashboardRun) => void;
  points: (p: MetricPoint[]) => void;
  scalar: (p: ScalarPoint) => void;
  workers: (w: WorkerView[]) => void;
  preview: (p: PreviewImage) => void;
  /** The join code changed (the teacher rotated it): a new QR code. */
  join: (j: JoinInfo) => void;
  /** A line for the activity log (joins, leaves, controls). */
  log: (line: string) => void;
}

export interface ClassServerEvents {
  class: (s: ClassStats) => void;
}

/** Neither namespace listens to its clients. */
export type ViewerClientEvents = Record<string, never>;

/**
 * A teacher's learning rate: positive, at most 10, and at least 1e-12. Below that float32 holds it
 * as 0 or as a subnormal (5e-324 was taken, and learning stopped without a word), and no model here
 * moves at such a rate anyway.
 */
const teacherRate = z
  .number()
  .finite()
  .min(1e-12, { error: 'a learning rate of at least 1e-12 (float32 holds smaller ones as 0)' })
  .max(10, { error: 'a learning rate of at most 10' });

/** POST /api/control, with `Authorization: Bearer <teacher token>`. */
export const controlRequestSchema = z.discriminatedUnion('action', [
  z.strictObject({ action: z.literal('pause') }),
  z.strictObject({ action: z.literal('resume') }),
  z.strictObject({ action: z.literal('stop') }),
  z.strictObject({ action: z.literal('checkpoint') }),
  z.strictObject({ action: z.literal('set-lr'), learningRate: teacherRate }),
  z.strictObject({ action: z.literal('set-batch'), batch: z.number().int().min(1).max(65_536) }),
  z.strictObject({
    action: z.literal('new-run'),
    model: z.string().min(1).max(64),
    dataset: z.string().min(1).max(64).optional(),
    batch: z.number().int().min(1).max(65_536).optional(),
    learningRate: teacherRate.optional(),
  }),
]);
export type ControlRequest = z.infer<typeof controlRequestSchema>;
export type ControlAction = ControlRequest['action'];

export type ControlReply = { ok: true; message: string; run: DashboardRun } | { ok: false; error: string };
