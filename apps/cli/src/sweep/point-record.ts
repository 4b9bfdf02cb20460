import { pointId } from './sweep-config.ts';
import type { PointResult } from './point-result.ts';

/**
 * Checks a finished point's line of sweep.jsonl before the report, the CSV and the charts use it: a
 * damaged one (edited by hand, cut and pasted) filled sweep.csv with `undefined` and then crashed
 * the charts. JSON writes NaN as null, so a measured figure may be null; it is read back as NaN.
 */

type Check = (v: unknown) => boolean;

const isNumber: Check = (v) => typeof v === 'number';
const isCount: Check = (v) => Number.isInteger(v) && (v as number) >= 0;
const isPositiveInt: Check = (v) => Number.isInteger(v) && (v as number) >= 1;
const isMeasured: Check = (v) => v === null || typeof v === 'number';
const isString: Check = (v) => typeof v === 'string';
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

const shapeOf = (fields: Record<string, Check>): Check => (v) => isObject(v) && Object.entries(fields).every(([k, ok]) => ok(v[k]));
const listOf = (item: Check): Check => (v) => Array.isArray(v) && v.every(item);
const orNull = (check: Check): Check => (v) => v === null || check(v);

const NOISE_WINDOW = shapeOf({ fromStep: isCount, toStep: isCount, rounds: isCount, trace: isMeasured, gradSq: isMeasured });
const NOISE_POINT = shapeOf({ step: isCount, epoch: isNumber, bSimple: isMeasured, trace: isMeasured, gradSq: isMeasured, batch: isPositiveInt });
const ACCURACY_POINT = shapeOf({ step: isCount, accuracy: isMeasured });

/** Every field of a PointResult, with what it must hold (in words, for the message). */
const FIELDS: Record<keyof PointResult, [Check, string]> = {
  status: [(v) => v === 'finished', '"finished"'],
  id: [isString, 'a point id'],
  batch: [isPositiveInt, 'a positive integer'],
  workers: [isPositiveInt, 'a positive integer'],
  seed: [isPositiveInt, 'a positive integer'],
  fleet: [(v) => v === 'processes' || v === 'simulated', '"processes" or "simulated"'],
  lrRule: [isString, 'a rule name'],
  baseLr: [isMeasured, 'a number'],
  baseBatch: [isPositiveInt, 'a positive integer'],
  lr: [isMeasured, 'a number'],
  targetAccuracy: [isNumber, 'a number'],
  reached: [(v) => typeof v === 'boolean', 'true or false'],
  stepsToTarget: [orNull(isCount), 'a step or null'],
  timeToTarget: [isMeasured, 'seconds or null'],
  scaleInvariantSteps: [isMeasured, 'a number or null'],
  steps: [isCount, 'a whole number'],
  samples: [isCount, 'a whole number'],
  seconds: [isMeasured, 'a number'],
  samplesPerSecond: [isMeasured, 'a number'],
  finalTestAccuracy: [isMeasured, 'a number'],
  finalTrainAccuracy: [isMeasured, 'a number'],
  generalizationGap: [isMeasured, 'a number'],
  testLoss: [isMeasured, 'a number'],
  trainLoss: [isMeasured, 'a number'],
  noiseScale: [isMeasured, 'a number or null'],
  noiseScaleAtTarget: [isMeasured, 'a number or null'],
  noiseWindow: [orNull(NOISE_WINDOW), 'a window {fromStep, toStep, rounds, trace, gradSq} or null'],
  finalBatch: [isPositiveInt, 'a positive integer'],
  noiseHistory: [listOf(NOISE_POINT), 'a list of {step, epoch, bSimple, trace, gradSq, batch}'],
  accuracyHistory: [listOf(ACCURACY_POINT), 'a list of {step, accuracy}'],
  runDir: [isString, 'a run directory'],
  finishedAt: [isString, 'a time'],
};

/** Figures that a NaN made null when the line was written. */
const MEASURED: (keyof PointResult)[] = ['baseLr', 'lr', 'seconds', 'samplesPerSecond', 'finalTestAccuracy', 'finalTrainAccuracy', 'generalizationGap', 'testLoss', 'trainLoss'];

/** Fields added after the first sweeps were recorded: their lines lack them, and mean no value. */
const ADDED_LATER: Partial<Record<keyof PointResult, null>> = { noiseWindow: null };

/** The record a parsed line holds, or why it is not a finished point's (in words for the message). */
export function pointRecord(line: unknown): PointResult | string {
  if (!isObject(line)) return 'not a JSON object';
  const v: Record<string, unknown> = { ...ADDED_LATER, ...line };
  for (const [field, [ok, what]] of Object.entries(FIELDS)) {
    if (!(field in v)) return `no ${field}`;
    if (!ok(v[field])) return `${field} is ${JSON.stringify(v[field])?.slice(0, 60)}, expected ${what}`;
  }
  const id = pointId(v.batch as number, v.workers as number, v.seed as number);
  if (v.id !== id) return `id ${JSON.stringify(v.id)} does not match its batch, workers and seed (${id})`;
  for (const k of MEASURED) v[k] ??= NaN;
  return v as unknown as PointResult;
}
