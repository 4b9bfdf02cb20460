import { seededRandom } from './seeded-random.ts';
import { DatasetOptionError, type Dataset, type Split } from './dataset.ts';

/**
 * The 2-D toy problems of playground.tensorflow.org, generated as its dataset.ts does (same shapes,
 * radii, padding and noise rules), but from a seeded generator so every process builds the same points.
 */
export const PLAYGROUND_PROBLEMS = ['circle', 'xor', 'gaussian', 'spiral'] as const;
export type PlaygroundProblem = (typeof PLAYGROUND_PROBLEMS)[number];

/** Input features the playground offers besides the raw coordinates. */
export const PLAYGROUND_FEATURES = ['x', 'y', 'x2', 'y2', 'xy', 'sinx', 'siny'] as const;
export type PlaygroundFeature = (typeof PLAYGROUND_FEATURES)[number];

export interface PlaygroundOptions {
  /** Label noise as in the playground's slider, 0 to 0.5 (the slider's 0-50 divided by 100). */
  noise: number;
  /** Points in all (the playground uses 500). */
  samples: number;
  /** Share of the points used for training (the playground's 50%). */
  trainRatio: number;
  features: PlaygroundFeature[];
  /** Seeds the points; the run's seed stays separate so the data can stay fixed while the init varies. */
  seed: number;
}

export const PLAYGROUND_DEFAULTS: PlaygroundOptions = { noise: 0, samples: 500, trainRatio: 0.5, features: ['x', 'y'], seed: 1 };

/** Class 0 is the playground's orange (label -1), class 1 its blue (label +1). */
export const PLAYGROUND_CLASSES = ['orange', 'blue'];

export interface Point2D {
  x: number;
  y: number;
  /** 0 = orange, 1 = blue. */
  label: 0 | 1;
}

type Rand = () => number;
const uniform = (rnd: Rand, a: number, b: number) => a + rnd() * (b - a);

/** Box-Muller with rejection, as the playground's normalRandom (second argument is the variance). */
function normal(rnd: Rand, mean: number, variance: number): number {
  let v1: number;
  let s: number;
  do {
    v1 = 2 * rnd() - 1;
    const v2 = 2 * rnd() - 1;
    s = v1 * v1 + v2 * v2;
  } while (s >= 1 || s === 0);
  return mean + Math.sqrt(variance) * v1 * Math.sqrt((-2 * Math.log(s)) / s);
}

function circle(n: number, noise: number, rnd: Rand): Point2D[] {
  const radius = 5;
  const out: Point2D[] = [];
  // Noise moves the point used for the label, not the point drawn: that is how the playground mislabels.
  const ring = (rMin: number, rMax: number) => {
    for (let i = 0; i < n / 2; i++) {
      const r = uniform(rnd, rMin, rMax);
      const angle = uniform(rnd, 0, 2 * Math.PI);
      const x = r * Math.sin(angle);
      const y = r * Math.cos(angle);
      const nx = uniform(rnd, -radius, radius) * noise;
      const ny = uniform(rnd, -radius, radius) * noise;
      out.push({ x, y, label: Math.hypot(x + nx, y + ny) < radius * 0.5 ? 1 : 0 });
    }
  };
  ring(0, radius * 0.5);
  ring(radius * 0.7, radius);
  return out;
}

function xor(n: number, noise: number, rnd: Rand): Point2D[] {
  const padding = 0.3;
  const out: Point2D[] = [];
  for (let i = 0; i < n; i++) {
    let x = uniform(rnd, -5, 5);
    x += x > 0 ? padding : -padding;
    let y = uniform(rnd, -5, 5);
    y += y > 0 ? padding : -padding;
    const nx = uniform(rnd, -5, 5) * noise;
    const ny = uniform(rnd, -5, 5) * noise;
    out.push({ x, y, label: (x + nx) * (y + ny) >= 0 ? 1 : 0 });
  }
  return out;
}

function gaussian(n: number, noise: number, rnd: Rand): Point2D[] {
  // The playground maps noise 0..0.5 linearly onto a variance of 0.5..4.
  const variance = 0.5 + (noise / 0.5) * 3.5;
  const out: Point2D[] = [];
  const blob = (c: number, label: 0 | 1) => {
    for (let i = 0; i < n / 2; i++) out.push({ x: normal(rnd, c, variance), y: normal(rnd, c, variance), label });
  };
  blob(2, 1);
  blob(-2, 0);
  return out;
}

function spiral(n: number, noise: number, rnd: Rand): Point2D[] {
  const half = n / 2;
  const out: Point2D[] = [];
  const arm = (deltaT: number, label: 0 | 1) => {
    for (let i = 0; i < half; i++) {
      const r = (i / half) * 5;
      const t = ((1.75 * i) / half) * 2 * Math.PI + deltaT;
      out.push({ x: r * Math.sin(t) + uniform(rnd, -1, 1) * noise, y: r * Math.cos(t) + uniform(rnd, -1, 1) * noise, label });
    }
  };
  arm(0, 1);
  arm(Math.PI, 0);
  return out;
}

const GENERATORS: Record<PlaygroundProblem, (n: number, noise: number, rnd: Rand) => Point2D[]> = { circle, xor, gaussian, spiral };

/** The points of one problem, in generation order. */
export function playgroundPoints(problem: PlaygroundProblem, samples: number, noise: number, seed: number): Point2D[] {
  return GENERATORS[problem](samples, noise, seededRandom(seed));
}

/** One point's input row; the playground's features, with x and y in its [-6, 6] frame. */
export function featureRow(p: { x: number; y: number }, features: readonly PlaygroundFeature[]): number[] {
  return features.map((f) => {
    switch (f) {
      case 'x':
        return p.x;
      case 'y':
        return p.y;
      case 'x2':
        return p.x * p.x;
      case 'y2':
        return p.y * p.y;
      case 'xy':
        return p.x * p.y;
      case 'sinx':
        return Math.sin(p.x);
      case 'siny':
        return Math.sin(p.y);
    }
  });
}

function toSplit(points: Point2D[], features: readonly PlaygroundFeature[]): Split & { points: Point2D[] } {
  const x = new Float32Array(points.length * features.length);
  const y = new Float32Array(points.length);
  points.forEach((p, i) => {
    x.set(featureRow(p, features), i * features.length);
    y[i] = p.label;
  });
  return { x, y, n: points.length, points };
}

export interface PlaygroundDataset extends Dataset {
  problem: PlaygroundProblem;
  options: PlaygroundOptions;
  /** The raw 2-D points behind each split's rows, for plotting the decision boundary. */
  trainPoints: Point2D[];
  testPoints: Point2D[];
}

/** Options from a run's `datasetOptions`, checked; unknown keys and bad values are errors that say what is allowed. */
export function parsePlaygroundOptions(raw: Record<string, unknown> = {}): PlaygroundOptions {
  const o = { ...PLAYGROUND_DEFAULTS };
  for (const [k, v] of Object.entries(raw)) {
    const num = (ok: (n: number) => boolean, hint: string) => {
      if (typeof v !== 'number' || !Number.isFinite(v) || !ok(v)) throw new DatasetOptionError(`playground option ${k} must be ${hint}, got ${JSON.stringify(v)}`);
      return v;
    };
    switch (k) {
      case 'noise':
        o.noise = num((n) => n >= 0 && n <= 0.5, 'a number in [0, 0.5]');
        break;
      case 'samples':
        o.samples = num((n) => Number.isInteger(n) && n >= 4 && n <= 100_000 && n % 2 === 0, 'an even integer in [4, 100000]');
        break;
      case 'trainRatio':
        o.trainRatio = num((n) => n > 0 && n < 1, 'a number in (0, 1)');
        break;
      case 'seed':
        o.seed = num((n) => Number.isInteger(n) && n >= 0, 'a non-negative integer');
        break;
      case 'features': {
        const list = Array.isArray(v) ? v : typeof v === 'string' ? v.split(',').map((s) => s.trim()) : null;
        const bad = list?.filter((f) => !(PLAYGROUND_FEATURES as readonly unknown[]).includes(f));
        if (!list || list.length === 0 || bad!.length > 0 || new Set(list).size !== list.length) {
          throw new DatasetOptionError(`playground option features must be a comma list of distinct ${PLAYGROUND_FEATURES.join(', ')}, got ${JSON.stringify(v)}`);
        }
        o.features = list as PlaygroundFeature[];
        break;
      }
      default:
        throw new DatasetOptionError(`playground datasets have no option "${k}"; they take: ${Object.keys(PLAYGROUND_DEFAULTS).join(', ')}`);
    }
  }
  return o;
}

/** A playground problem as a Dataset: points shuffled once by the data seed, then cut into train and test. */
export function playgroundDataset(problem: PlaygroundProblem, raw?: Record<string, unknown>): PlaygroundDataset {
  const options = parsePlaygroundOptions(raw);
  const points = playgroundPoints(problem, options.samples, options.noise, options.seed);
  // The generators emit one class after the other; shuffle before cutting (as the playground does).
  const rnd = seededRandom(options.seed ^ 0x5eed);
  for (let i = points.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [points[i], points[j]] = [points[j]!, points[i]!];
  }
  const nTrain = Math.max(1, Math.min(points.length - 1, Math.round(points.length * options.trainRatio)));
  const train = toSplit(points.slice(0, nTrain), options.features);
  const test = toSplit(points.slice(nTrain), options.features);
  return {
    name: problem,
    problem,
    options,
    inputShape: [options.features.length],
    labelSize: 1,
    numClasses: 2,
    classNames: PLAYGROUND_CLASSES,
    train: { x: train.x, y: train.y, n: train.n },
    test: { x: test.x, y: test.y, n: test.n },
    trainPoints: train.points,
    testPoints: test.points,
  };
}

export function isPlaygroundDataset(ds: Dataset): ds is PlaygroundDataset {
  return (PLAYGROUND_PROBLEMS as readonly string[]).includes(ds.name) && 'testPoints' in ds;
}
