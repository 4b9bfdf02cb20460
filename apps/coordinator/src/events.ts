import type { ControlAction, RoundEvent, WorkerView } from '@shardgrad/protocol';

import type { NoiseScaleEvent } from './noise-scale-monitor.ts';

/** Everything the coordinator reports; the CLI prints these as JSON lines and the dashboard draws them. */
export type CoordinatorEvent =
  | { type: 'listening'; url: string; runId: string; model: string; dataset: string; parameters: number; maxPayloadBytes: number }
  | { type: 'worker-joined'; worker: WorkerView }
  | { type: 'worker-left'; workerId: string; nickname?: string; reason: string; reassigned: boolean }
  | { type: 'rejected'; workerId: string; nickname?: string; reason: string; message: string }
  // A hello refused at the door (wrong token or code, another protocol, malformed): who tried, and why.
  | { type: 'worker-refused'; address: string; nickname?: string; reason: string; message: string }
  // Trust: a worker past its strikes, a spot check's verdict, a round the aggregator cannot defend.
  | { type: 'secret-rotated'; secret: 'join-code' | 'worker-token' | 'teacher-token' }
  | { type: 'worker-dropped'; workerId: string; strikes: number; rejects: Record<string, number> }
  | { type: 'spot-check'; workerId: string; round: number; shardId: number; ok: boolean; maxError: number; tolerance: number }
  | { type: 'round-refused'; step: number; aggregator: string; results: number; reason: string }
  // The optimizer undid a step that would have left a weight or its state NaN or infinite.
  | { type: 'update-skipped'; step: number; reason: string }
  | { type: 'resumed'; step: number; epoch: number; offset: number; path: string; stateDigest: string; skipped?: { file: string; reason: string }[] }
  | { type: 'waiting'; needed: number; have: number }
  | RoundEvent
  // The gradient noise scale (noise-scale-monitor.ts) and the batch grown towards it (adaptive-batch.ts).
  | NoiseScaleEvent
  | { type: 'adaptive-batch'; step: number; from: number; to: number; bSimple: number | null }
  // After each round: every live worker's speed estimate and planned share (the dashboard's workers table).
  | { type: 'workers'; step: number; workers: WorkerView[] }
  | { type: 'epoch'; epoch: number; step: number; trainLoss: number; trainMetrics: Record<string, number>; seconds: number }
  /**
   * test-sample: the first `rows` of the `testRows` test rows (all of them in a small test split).
   * `final`: the run's closing test evaluation, which its summary repeats.
   */
  | { type: 'evaluation'; split: 'test' | 'validation' | 'test-sample'; step: number; loss: number; metrics: Record<string, number>; rows?: number; testRows?: number; final?: boolean }
  // The model's own held-out figures (ModelDefinition.report), once after training.
  | { type: 'report'; split: 'test'; step: number; figures: Record<string, number | string> }
  // Early stopping and the best checkpoint (training-policy.ts).
  | { type: 'early-stopping'; step: number; bestStep: number; bestLoss: number; patience: number }
  | { type: 'restored-best'; step: number; validationLoss: number }
  // The teacher's controls and what the run directory keeps (run-control.ts, run-recorder.ts).
  | { type: 'control'; action: ControlAction; message: string; step: number }
  | { type: 'checkpoint'; step: number; path: string }
  | { type: 'finished'; step: number; reason: 'completed' | 'stopped' }
  | { type: 'run-started'; runId: string; model: string; dataset: string; parameters: number };
