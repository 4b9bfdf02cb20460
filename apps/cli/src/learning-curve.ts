import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { CoordinatorEvent } from '@shardgrad/coordinator';
import type { LearningCurveSpec } from '@shardgrad/models';
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
 * as CSV and SVG after the run: the evidence a person looks at, not only the last number.
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
    const svg = join(dir, 'learning-curve.svg');
    await writeFile(csv, curveCsv(points, this.baseline));
    await writeFile(svg, curveSvg(points, this.spec.label, this.baseline));
    return [
      { path: csv, description: `learning curve: ${this.spec.label} by step` },
      { path: svg, description: 'learning curve, drawn' },
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

const W = 640;
const H = 360;
const M = { left: 56, right: 16, top: 28, bottom: 44 };

/** A small line chart: evaluations as a line with dots, training rounds lighter, the baseline dashed. */
export function curveSvg(points: readonly CurvePoint[], label: string, baseline?: number): string {
  const values = points.flatMap((p) => [p.evaluation, p.train]).filter((v): v is number => v !== undefined);
  if (baseline !== undefined) values.push(baseline);
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  const pad = (hi - lo || 1) * 0.08;
  const [y0, y1] = [lo - pad, hi + pad];
  const maxStep = Math.max(1, ...points.map((p) => p.step));
  const x = (s: number) => M.left + (s / maxStep) * (W - M.left - M.right);
  const y = (v: number) => H - M.bottom - ((v - y0) / (y1 - y0)) * (H - M.top - M.bottom);
  const path = (pts: [number, number][]) => pts.map(([s, v], i) => `${i ? 'L' : 'M'}${x(s).toFixed(1)},${y(v).toFixed(1)}`).join(' ');
  const ev = points.filter((p) => p.evaluation !== undefined).map((p) => [p.step, p.evaluation!] as [number, number]);
  const tr = points.filter((p) => p.train !== undefined).map((p) => [p.step, p.train!] as [number, number]);
  const ticks = Array.from({ length: 5 }, (_, i) => y0 + ((y1 - y0) * i) / 4);
  const out = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${W / 2}" y="16" text-anchor="middle">${escape(label)}</text>`,
    ...ticks.map((t) => `<line x1="${M.left}" x2="${W - M.right}" y1="${y(t).toFixed(1)}" y2="${y(t).toFixed(1)}" stroke="#eee"/><text x="${M.left - 6}" y="${(y(t) + 4).toFixed(1)}" text-anchor="end">${t.toFixed(2)}</text>`),
    `<line x1="${M.left}" x2="${W - M.right}" y1="${H - M.bottom}" y2="${H - M.bottom}" stroke="#333"/>`,
    `<text x="${W / 2}" y="${H - 10}" text-anchor="middle">step (round)</text>`,
    `<text x="${W - M.right}" y="${H - M.bottom + 16}" text-anchor="end">${maxStep}</text><text x="${M.left}" y="${H - M.bottom + 16}">0</text>`,
  ];
  if (tr.length > 1) out.push(`<path d="${path(tr)}" fill="none" stroke="#9ecae1" stroke-width="1.5"/>`);
  if (baseline !== undefined) {
    out.push(`<line x1="${M.left}" x2="${W - M.right}" y1="${y(baseline).toFixed(1)}" y2="${y(baseline).toFixed(1)}" stroke="#d62728" stroke-dasharray="6 4"/>`);
    out.push(`<text x="${W - M.right - 4}" y="${(y(baseline) - 5).toFixed(1)}" text-anchor="end" fill="#d62728">random policy ${baseline.toFixed(2)}</text>`);
  }
  if (ev.length > 0) out.push(`<path d="${path(ev)}" fill="none" stroke="#08519c" stroke-width="2"/>`, ...ev.map(([s, v]) => `<circle cx="${x(s).toFixed(1)}" cy="${y(v).toFixed(1)}" r="3" fill="#08519c"/>`));
  out.push(`<text x="${M.left + 8}" y="${M.top + 12}" fill="#08519c">evaluation</text>`);
  if (tr.length > 1) out.push(`<text x="${M.left + 8}" y="${M.top + 28}" fill="#6baed6">training rounds (trailing mean of ${TRAIN_WINDOW})</text>`);
  out.push('</svg>');
  return out.join('\n') + '\n';
}

const escape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
