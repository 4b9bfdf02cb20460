import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { CoordinatorEvent } from '@shardgrad/coordinator';
import type { LearningCurveSpec } from '@shardgrad/models';
import type { TopLevelSpec } from 'vega-lite';
import type { WrittenArtifact } from './model-artifacts.ts';

export interface CurvePoint {
  step: number;
  /** The periodic (validation) or final (test) evaluation's metric. */
  evaluation?: number;
  /** The training round's own value (its episodes' mean return), when the model defines it. */
  train?: number;
}

/** Training rounds are noisy: the train series is a trailing mean over this many rounds. */
const TRAIN_WINDOW = 10;

/**
 * Collects a model's learning curve from the coordinator's events, for models that declare one
 * (RL, where the figure that matters is the return, not the loss), and writes it to the run directory
 * as CSV, SVG and PNG after the run: the evidence a person looks at, not only the last number.
 */
export class LearningCurve {
  private readonly points = new Map<number, CurvePoint>();
  private baseline?: number;

  constructor(private readonly spec: LearningCurveSpec) {}

  observe(e: CoordinatorEvent): void {
    if (e.type === 'evaluation') {
      const v = e.metrics[this.spec.metric];
      if (v !== undefined && Number.isFinite(v)) this.at(e.step).evaluation = v;
    } else if (e.type === 'round' && this.spec.fromRound) {
      const v = this.spec.fromRound(e.metrics);
      if (Number.isFinite(v)) this.at(e.step).train = v;
    } else if (e.type === 'report' && this.spec.baselineFigure) {
      const b = e.figures[this.spec.baselineFigure];
      if (typeof b === 'number') this.baseline = b;
    }
  }

  /** Points by step; `train` as the trailing mean of the last rounds. */
  curve(): CurvePoint[] {
    const sorted = [...this.points.values()].sort((a, b) => a.step - b.step);
    const recent: number[] = [];
    return sorted.map((p) => {
      if (p.train === undefined) return { ...p };
      recent.push(p.train);
      if (recent.length > TRAIN_WINDOW) recent.shift();
      return { ...p, train: recent.reduce((s, v) => s + v, 0) / recent.length };
    });
  }

  async write(dir: string): Promise<WrittenArtifact[]> {
    const points = this.curve();
    if (!points.some((p) => p.evaluation !== undefined)) return [];
    const csv = join(dir, 'learning-curve.csv');
    await writeFile(csv, curveCsv(points, this.baseline));
    // Vega is loaded only by the models that draw a curve.
    const { renderChart } = await import('./render-chart.ts');
    const { svg, png } = await renderChart(curveChartSpec(points, { title: this.spec.label, axis: this.spec.metric }, this.baseline));
    const svgPath = join(dir, 'learning-curve.svg');
    const pngPath = join(dir, 'learning-curve.png');
    await writeFile(svgPath, svg);
    await writeFile(pngPath, png);
    return [
      { path: csv, description: `learning curve: ${this.spec.label} by step` },
      { path: svgPath, description: 'learning curve, drawn (SVG)' },
      { path: pngPath, description: 'learning curve, drawn (PNG)' },
    ];
  }

  private at(step: number): CurvePoint {
    let p = this.points.get(step);
    if (!p) this.points.set(step, (p = { step }));
    return p;
  }
}

export function curveCsv(points: readonly CurvePoint[], baseline?: number): string {
  const cell = (v: number | undefined) => (v === undefined ? '' : String(Number(v.toFixed(4))));
  const rows = points.map((p) => `${p.step},${cell(p.evaluation)},${cell(p.train)},${cell(baseline)}`);
  return ['step,evaluation,train_trailing_mean,random_baseline', ...rows].join('\n') + '\n';
}

/**
 * The chart as a Vega-Lite spec: evaluations as a line with dots, the training rounds' trailing mean
 * lighter, the random baseline as a dashed rule.
 */
export function curveChartSpec(points: readonly CurvePoint[], label: { title: string; axis: string }, baseline?: number): TopLevelSpec {
  const series = (name: string, value: (p: CurvePoint) => number | undefined) =>
    points.flatMap((p) => (value(p) === undefined ? [] : [{ step: p.step, value: value(p)!, series: name }]));
  const x = { field: 'step', type: 'quantitative', title: 'step (round)' } as const;
  // The axis gets the metric's short name: a sentence-long label stood taller than the plot.
  const y = { field: 'value', type: 'quantitative', title: label.axis, scale: { zero: false } } as const;
  const color = { field: 'series', type: 'nominal', title: null, scale: { range: ['#08519c', '#9ecae1'] }, legend: { orient: 'bottom', labelLimit: 400 } } as const;
  // A training point per round would bury the evaluations' dots: the rounds are a plain line.
  const layers: unknown[] = [
    { data: { values: series(`training rounds (trailing mean of ${TRAIN_WINDOW})`, (p) => p.train) }, mark: { type: 'line' }, encoding: { x, y, color } },
    { data: { values: series('evaluation', (p) => p.evaluation) }, mark: { type: 'line', point: true, strokeWidth: 2 }, encoding: { x, y, color } },
  ];
  if (baseline !== undefined) {
    const rule = [{ value: baseline, text: `random policy ${baseline.toFixed(2)}` }];
    layers.push(
      { data: { values: rule }, mark: { type: 'rule', color: '#d62728', strokeDash: [6, 4] }, encoding: { y: { field: 'value', type: 'quantitative' } } },
      { data: { values: rule }, mark: { type: 'text', color: '#d62728', align: 'right', dy: -6, x: 'width' }, encoding: { y: { field: 'value', type: 'quantitative' }, text: { field: 'text' } } },
    );
  }
  return { $schema: 'https://vega.github.io/schema/vega-lite/v6.json', title: { text: label.title, limit: 560 }, width: 560, height: 300, layer: layers } as TopLevelSpec;
}
