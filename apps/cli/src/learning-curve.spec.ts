import { describe, expect, it } from 'vitest';
import type { CoordinatorEvent } from '@shardgrad/coordinator';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LearningCurve, curveChartSpec, curveCsv } from './learning-curve.ts';
import { renderChart } from './render-chart.ts';

const round = (step: number, ret: number) => ({ type: 'round', round: step - 1, step, epoch: 0, loss: 0, metrics: { r: ret }, samples: 1, roundMs: 1, workers: 2, reassigned: 0 }) as unknown as CoordinatorEvent;
const evaluation = (step: number, v: number) => ({ type: 'evaluation', split: 'validation', step, loss: NaN, metrics: { meanReturn: v } }) as CoordinatorEvent;

describe('learning curve', () => {
  it('joins evaluations, smoothed training rounds and the report baseline by step', () => {
    const curve = new LearningCurve({ metric: 'meanReturn', label: 'return', baselineFigure: 'random', fromRound: (m) => m.r! });
    curve.observe(round(1, -1));
    curve.observe(round(2, 0));
    curve.observe(evaluation(2, -0.5));
    curve.observe({ type: 'report', split: 'test', step: 2, figures: { random: -0.7 } });
    expect(curve.curve()).toEqual([
      { step: 1, train: -1 },
      { step: 2, train: -0.5, evaluation: -0.5 },
    ]);
    expect(curveCsv(curve.curve(), -0.7)).toBe('step,evaluation,train_trailing_mean,random_baseline\n1,,-1,-0.7\n2,-0.5,-0.5,-0.7\n');
  });

  it('draws the evaluations, the training rounds and the baseline through Vega-Lite, as SVG and PNG', async () => {
    const points = [{ step: 0, evaluation: -0.7 }, { step: 10, evaluation: -0.3, train: -0.4 }, { step: 20, evaluation: -0.2, train: -0.35 }];
    const spec = curveChartSpec(points, { title: 'mean return <per episode>', axis: 'meanReturn' }, -0.7) as { layer: { data: { values: { series?: string; value: number }[] } }[] };
    const [training, evaluations] = spec.layer.map((l) => l.data.values);
    expect(evaluations!.map((r) => r.value)).toEqual([-0.7, -0.3, -0.2]);
    expect(training!.map((r) => r.value)).toEqual([-0.4, -0.35]);
    const { svg, png } = await renderChart(curveChartSpec(points, { title: 'mean return <per episode>', axis: 'meanReturn' }, -0.7));
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain('mean return &lt;per episode&gt;');
    expect(svg).toContain('random policy -0.70');
    expect(png.subarray(1, 4).toString()).toBe('PNG');
  });

  it('keeps a long label to the title, so the chart is wider than tall', async () => {
    const points = [{ step: 0, evaluation: -0.7 }, { step: 10, evaluation: -0.3 }];
    const label = { title: 'pong: mean return per one-point episode (evaluation: the held-out episodes; +1 win, −1 loss)', axis: 'meanReturn' };
    const { png } = await renderChart(curveChartSpec(points, label, -0.7));
    // The PNG header: width then height, big-endian, after the signature and the IHDR tag.
    // 1,270 × 790 here; with the label on the axis it was 1,272 × 1,674.
    expect(png.readUInt32BE(16)).toBeGreaterThan(1.4 * png.readUInt32BE(20));
  });

  it('writes CSV, SVG and PNG into the run directory, and nothing without an evaluation', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'curve-'));
    const curve = new LearningCurve({ metric: 'meanReturn', label: 'return' });
    expect(await curve.write(dir)).toEqual([]);
    curve.observe(evaluation(5, -0.4));
    const written = await curve.write(dir);
    expect(written.map((w) => w.path.split('/').pop())).toEqual(['learning-curve.csv', 'learning-curve.svg', 'learning-curve.png']);
    expect(await readFile(join(dir, 'learning-curve.csv'), 'utf8')).toContain('5,-0.4,,');
  });
});
