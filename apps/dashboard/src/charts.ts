import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { MetricPoint, ScalarPoint } from '@shardgrad/protocol';
import { smooth } from './smoothing.ts';

const COLORS = { train: '#4c9be8', trainRaw: 'rgba(76,155,232,0.25)', validation: '#f28e2b', test: '#59a14f', speed: '#b07aa1' };
const HEIGHT = 180;

type Row = (number | null)[];

/** Steps of all points, ascending, and each split's values placed at their step (null elsewhere). */
function align(points: readonly MetricPoint[], pick: (p: MetricPoint) => number | undefined) {
  const steps = [...new Set(points.map((p) => p.step))].sort((a, b) => a - b);
  const at = new Map(steps.map((s, i) => [s, i]));
  const rows: Record<Exclude<MetricPoint['split'], 'test-sample'>, Row> = { train: steps.map(() => null), validation: steps.map(() => null), test: steps.map(() => null) };
  for (const p of points) {
    const v = pick(p);
    // The test split's first rows are test data too: the same dots, and one legend entry fewer on a phone.
    if (v !== undefined) rows[p.split === 'test-sample' ? 'test' : p.split][at.get(p.step)!] = v;
  }
  return { steps, rows };
}

function chart(el: HTMLElement, title: string, series: uPlot.Series[]): uPlot {
  const opts: uPlot.Options = {
    title,
    width: Math.max(280, el.clientWidth),
    height: HEIGHT,
    scales: { x: { time: false } },
    axes: [{ label: 'step', stroke: '#aab' , grid: { stroke: '#2a2d36' } }, { stroke: '#aab', grid: { stroke: '#2a2d36' }, size: 60 }],
    series: [{ label: 'step' }, ...series],
    legend: { live: false },
  };
  return new uPlot(opts, [[], ...series.map(() => [])] as unknown as uPlot.AlignedData, el);
}

const line = (label: string, stroke: string, width = 2): uPlot.Series => ({ label, stroke, width, spanGaps: true, points: { show: false } });
const dots = (label: string, stroke: string): uPlot.Series => ({ label, stroke, width: 2, spanGaps: true, points: { show: true, size: 6, fill: stroke } });

/** The live curves: loss, the model's main metric, throughput, and any reported scalars. */
export class Curves {
  private points: MetricPoint[] = [];
  private scalars: ScalarPoint[] = [];
  private weight = 0.6;
  private frame = 0;
  private readonly loss: uPlot;
  private readonly metric: uPlot;
  private readonly speed: uPlot;
  private readonly scalar: uPlot;

  constructor(private readonly els: { loss: HTMLElement; metric: HTMLElement; speed: HTMLElement; scalars: HTMLElement }) {
    this.loss = chart(els.loss, 'loss', [line('train (smoothed)', COLORS.train), line('train', COLORS.trainRaw, 1), dots('validation', COLORS.validation), dots('test', COLORS.test)]);
    this.metric = chart(els.metric, 'accuracy', [line('train (smoothed)', COLORS.train), dots('validation', COLORS.validation), dots('test', COLORS.test)]);
    this.speed = chart(els.speed, 'class throughput (samples/s over whole rounds)', [line('samples/s (smoothed)', COLORS.speed)]);
    this.scalar = chart(els.scalars, 'gradient noise scale B_simple (examples)', [line('B_simple', COLORS.validation)]);
    // Follows its box: the window, the grid, and a chart that was hidden and now shows.
    for (const [u, el] of [[this.loss, els.loss], [this.metric, els.metric], [this.speed, els.speed], [this.scalar, els.scalars]] as const) {
      new ResizeObserver(() => el.clientWidth > 0 && u.setSize({ width: el.clientWidth, height: HEIGHT })).observe(el);
    }
  }

  reset(points: MetricPoint[], scalars: ScalarPoint[]): void {
    this.points = [...points];
    this.scalars = [...scalars];
    this.schedule();
  }

  add(points: MetricPoint[]): void {
    this.points.push(...points);
    this.schedule();
  }

  addScalar(p: ScalarPoint): void {
    this.scalars.push(p);
    this.schedule();
  }

  setSmoothing(w: number): void {
    this.weight = w;
    this.schedule();
  }

  /** One redraw per animation frame however many updates arrive. */
  private schedule(): void {
    if (!this.frame) this.frame = requestAnimationFrame(() => ((this.frame = 0), this.draw()));
  }

  private draw(): void {
    const w = this.weight;
    const l = align(this.points, (p) => p.loss);
    this.loss.setData([l.steps, smooth(l.rows.train, w), l.rows.train, l.rows.validation, l.rows.test] as uPlot.AlignedData);
    this.els.loss.dataset.points = String(l.rows.train.filter((v) => v !== null).length);

    const name = metricName(this.points);
    this.metric.setData(
      (() => {
        const m = align(this.points, (p) => (name ? p.metrics[name] : undefined));
        return [m.steps, smooth(m.rows.train, w), m.rows.validation, m.rows.test] as uPlot.AlignedData;
      })(),
    );
    if (name && this.metric.root.querySelector('.u-title')) this.metric.root.querySelector('.u-title')!.textContent = name;
    this.els.metric.hidden = !name;

    const train = this.points.filter((p) => p.split === 'train' && p.samplesPerSecond !== undefined);
    this.speed.setData([train.map((p) => p.step), smooth(train.map((p) => p.samplesPerSecond!), w)] as uPlot.AlignedData);
    this.els.speed.dataset.points = String(train.length);

    this.els.scalars.hidden = this.scalars.length === 0;
    this.scalar.setData([this.scalars.map((p) => p.step), this.scalars.map((p) => p.value)] as uPlot.AlignedData);
  }
}

/** Accuracy when the model reports it, else its first metric. */
function metricName(points: readonly MetricPoint[]): string | undefined {
  const keys = points.find((p) => Object.keys(p.metrics).length > 0)?.metrics;
  if (!keys) return undefined;
  return 'accuracy' in keys ? 'accuracy' : Object.keys(keys)[0];
}
