import { describe, expect, it } from 'vitest';
import type { CoordinatorEvent } from '@shardgrad/coordinator';
import { LearningCurve, curveCsv, curveSvg } from './learning-curve.ts';

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

  it('draws an SVG with the evaluation line, the baseline and an escaped title', () => {
    const svg = curveSvg([{ step: 0, evaluation: -0.7 }, { step: 10, evaluation: -0.3, train: -0.4 }], 'a < b', -0.7);
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain('a &lt; b');
    expect(svg).toContain('random policy -0.70');
    expect(svg.match(/<circle/g)).toHaveLength(2);
  });
});
