/**
 * A classification dataset restricted to some of its classes, optionally to the first N examples
 * of each: what transfer learning needs ("pre-train on classes 0-4, fine-tune on 100 labelled
 * examples of each of 5-9"). Pure and deterministic (dataset order), so the coordinator and every
 * worker that apply the same options hold the same rows.
 */
import { DatasetOptionError, rowSize, type Dataset, type Split } from './dataset.ts';

export interface ClassSubsetOptions {
  /** Original class indices to keep; they become 0..k-1 in this order. */
  classes?: number[];
  /** Keep the first N training examples of each kept class. */
  trainPerClass?: number;
  /** Keep the first N test examples of each kept class. */
  testPerClass?: number;
}

/** The option names loadDataset takes for every classification dataset. */
export const CLASS_SUBSET_KEYS = ['classes', 'trainPerClass', 'testPerClass'] as const;

function checkPerClass(name: string, v: unknown): number | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) throw new DatasetOptionError(`${name} must be a positive integer, got ${JSON.stringify(v)}`);
  return v;
}

function pick(ds: Dataset, split: Split, keep: Map<number, number>, perClass: number | undefined, which: string): Split {
  const xs = rowSize(ds.inputShape);
  const taken = new Map<number, number>();
  const rows: number[] = [];
  for (let i = 0; i < split.n; i++) {
    const c = split.y[i]!;
    if (!keep.has(c)) continue;
    const k = taken.get(c) ?? 0;
    if (perClass !== undefined && k >= perClass) continue;
    taken.set(c, k + 1);
    rows.push(i);
  }
  if (perClass !== undefined) {
    const short = [...keep.keys()].filter((c) => (taken.get(c) ?? 0) < perClass);
    if (short.length > 0) {
      const counts = short.map((c) => `class ${c}: ${taken.get(c) ?? 0}`).join(', ');
      throw new DatasetOptionError(`${ds.name} ${which}: fewer than ${perClass} examples per class (${counts}); lower the per-class count or raise the split's limit`);
    }
  }
  const x = new Float32Array(rows.length * xs);
  const y = new Float32Array(rows.length);
  rows.forEach((r, i) => {
    x.set(split.x.subarray(r * xs, (r + 1) * xs), i * xs);
    y[i] = keep.get(split.y[r]!)!;
  });
  return { x, y, n: rows.length };
}

/** The dataset with only `classes` (relabelled 0..k-1) and at most N examples per class. */
export function selectClasses(ds: Dataset, opts: ClassSubsetOptions): Dataset {
  const trainPerClass = checkPerClass('trainPerClass', opts.trainPerClass);
  const testPerClass = checkPerClass('testPerClass', opts.testPerClass);
  if (opts.classes === undefined && trainPerClass === undefined && testPerClass === undefined) return ds;
  if (ds.labelSize !== 1) throw new RangeError(`${ds.name}: class selection needs one class index per sample (labelSize 1, got ${ds.labelSize})`);
  const classes = opts.classes ?? Array.from({ length: ds.numClasses }, (_, i) => i);
  // '[0,1' (a bracket short) arrives as text, not a list: say so, not that it lists too few.
  if (!Array.isArray(classes)) throw new DatasetOptionError(`classes must be a list of class indices such as [3,8], got ${JSON.stringify(opts.classes)}`);
  if (classes.length < 2) throw new DatasetOptionError(`classes must list at least two class indices, got ${JSON.stringify(opts.classes)}`);
  const keep = new Map<number, number>();
  classes.forEach((c, i) => {
    if (!Number.isInteger(c) || c < 0 || c >= ds.numClasses) throw new DatasetOptionError(`classes: ${JSON.stringify(c)} is not a class of ${ds.name} (0..${ds.numClasses - 1})`);
    if (keep.has(c)) throw new DatasetOptionError(`classes: ${c} is listed twice`);
    keep.set(c, i);
  });
  return {
    ...ds,
    numClasses: classes.length,
    classNames: ds.classNames ? classes.map((c) => ds.classNames![c]!) : undefined,
    train: pick(ds, ds.train, keep, trainPerClass, 'train'),
    test: pick(ds, ds.test, keep, testPerClass, 'test'),
  };
}
