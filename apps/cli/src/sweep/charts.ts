import type { TopLevelSpec } from 'vega-lite';
import { fitSweep, measuredNoiseScale, summarizeByBatch } from './analysis.ts';
import type { PointResult } from './point-result.ts';

/** One chart of the report: a file stem, what it shows, and its Vega-Lite spec. */
export interface ChartSpec {
  name: string;
  title: string;
  spec: TopLevelSpec;
}

const WIDTH = 420;
const HEIGHT = 280;
const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';
/**
 * The test/train legend as line samples in a neutral colour. With `point: true` Vega-Lite draws it
 * as two filled circles with no stroke, which cannot show the dashes that tell the lines apart.
 */
const SPLIT_LEGEND = {
  symbolType: 'stroke',
  symbolStrokeWidth: 2,
  symbolSize: 400,
  encode: { symbols: { update: { stroke: { value: '#333' }, fill: { value: 'transparent' } } } },
} as const;
const fleetLabel = (r: { workers: number; fleet?: string }) => `${r.workers} ${r.fleet === 'simulated' ? 'simulated ' : ''}worker${r.workers === 1 ? '' : 's'}`;

/**
 * A d3 percent format with enough decimals that neighbouring ticks of `values` differ: a fixed
 * `.1%` printed 1.2%, 1.2%, 1.1%, 1.1% for a gap that spans a tenth of a point.
 */
export function percentFormat(values: readonly number[]): string {
  const finite = values.filter(Number.isFinite);
  const span = finite.length ? (Math.max(...finite) - Math.min(...finite)) * 100 : 0;
  // Up to ~10 ticks over the span, in percentage points; one more decimal than their spacing needs.
  const digits = span > 0 ? Math.ceil(-Math.log10(span / 10)) : 1;
  return `.${Math.min(4, Math.max(1, digits))}~%`;
}

/** A chart that has nothing to plot says so in its frame, rather than showing empty axes and a legend title. */
function noDataChart(title: string, message: string): TopLevelSpec {
  return {
    $schema: SCHEMA,
    title,
    width: WIDTH,
    height: HEIGHT,
    data: { values: [{ message }] },
    mark: { type: 'text', fontSize: 14, color: '#555', align: 'center', baseline: 'middle', lineBreak: '\n', lineHeight: 20 },
    encoding: { x: { value: WIDTH / 2 }, y: { value: HEIGHT / 2 }, text: { field: 'message' } },
  } as TopLevelSpec;
}

/** The four charts of a sweep report, from its points. */
export function sweepCharts(results: readonly PointResult[], context: { model: string; dataset: string; target: number; simulated: boolean }): ChartSpec[] {
  const batches = [...new Set(results.map((r) => r.batch))].sort((a, b) => a - b);
  const x = { field: 'batch', type: 'quantitative', title: 'global batch (examples)', scale: { type: 'log', base: 2 }, axis: { values: batches } } as const;
  const suffix = context.simulated ? ' (simulated fleet)' : '';
  const pct = `${(context.target * 100).toFixed(0)}%`;
  const rows = results.map((r) => ({ ...r, fleetLabel: fleetLabel(r) }));
  const means = summarizeByBatch(results).map((s) => ({ ...s, fleetLabel: fleetLabel({ workers: s.workers, fleet: results[0]?.fleet }) }));
  const fit = fitSweep(results);
  const noise = measuredNoiseScale(results);
  const color = { field: 'fleetLabel', type: 'nominal', title: 'fleet' } as const;

  const stepsLayers: unknown[] = [
    { data: { values: rows.filter((r) => r.reached) }, mark: { type: 'point', filled: true, opacity: 0.55 }, encoding: { x, y: { field: 'stepsToTarget', type: 'quantitative', scale: { type: 'log' }, title: `steps to ${pct} test accuracy` }, color } },
    { data: { values: means.filter((m) => m.stepsToTarget !== null) }, mark: { type: 'line', point: true }, encoding: { x, y: { field: 'stepsToTarget', type: 'quantitative' }, color } },
  ];
  if (fit) {
    const curve = Array.from({ length: 60 }, (_, i) => {
      const b = batches[0]! * (batches[batches.length - 1]! / batches[0]!) ** (i / 59);
      return { batch: b, steps: fit.sMin * (1 + fit.bCrit / b), label: `fit S_min(1 + B_crit/B), B_crit ≈ ${Math.round(fit.bCrit)}` };
    });
    stepsLayers.push({ data: { values: curve }, mark: { type: 'line', strokeDash: [6, 4], color: '#888' }, encoding: { x, y: { field: 'steps', type: 'quantitative' }, detail: { field: 'label' } } });
  }
  if (noise !== null && noise >= batches[0]! / 4 && noise <= batches[batches.length - 1]! * 4) {
    // Label on the side of the rule with more room, so it stays inside the plot, clear of the legend.
    const rightHalf = Math.log(noise / batches[0]!) > Math.log(batches[batches.length - 1]! / noise);
    stepsLayers.push(
      { data: { values: [{ batch: noise }] }, mark: { type: 'rule', color: '#d62728', strokeDash: [2, 3] }, encoding: { x: { field: 'batch', type: 'quantitative' } } },
      {
        data: { values: [{ batch: noise, text: `measured B_simple ≈ ${Math.round(noise)}` }] },
        mark: { type: 'text', color: '#d62728', align: rightHalf ? 'right' : 'left', dx: rightHalf ? -4 : 4, baseline: 'top', y: 4 },
        encoding: { x: { field: 'batch', type: 'quantitative' }, text: { field: 'text' } },
      },
    );
  }

  const panel = (values: unknown[], y: Record<string, unknown>, title: string, mark: Record<string, unknown> = { type: 'line', point: true }) => ({
    title,
    width: WIDTH,
    height: Math.round(HEIGHT * 0.7),
    data: { values },
    mark,
    encoding: { x, y: { type: 'quantitative', ...y }, color },
  });

  const reachedAny = rows.some((r) => r.reached);
  const noiseRows = rows.flatMap((r) =>
    r.noiseHistory.filter((h) => h.bSimple !== null && h.bSimple > 0).map((h) => ({ ...h, progress: h.step / (r.stepsToTarget ?? r.steps), point: r.id, batchLabel: r.batch })),
  );
  // Short lines: the frame is WIDTH pixels wide.
  const noTarget = `No point reached the ${pct} target:\nnothing to plot (see the report's table).`;
  const noNoise = rows.some((r) => r.noiseHistory.length > 0)
    ? 'B_simple was measured, but its smoothed |G|²\nnever came out positive: nothing to plot.'
    : 'No noise scale was measured:\none shard per round (one worker).';
  const accuracyRows = rows.flatMap((r) => [
    { batch: r.batch, fleetLabel: r.fleetLabel, measure: 'test accuracy', value: r.finalTestAccuracy },
    { batch: r.batch, fleetLabel: r.fleetLabel, measure: 'train accuracy', value: r.finalTrainAccuracy },
  ]);

  const charts: ChartSpec[] = [
    {
      name: 'steps-to-target',
      title: `Steps to ${pct} test accuracy against the global batch (log-log)${suffix}`,
      spec: reachedAny
        ? ({ $schema: SCHEMA, title: `${context.model} on ${context.dataset}: steps to ${pct} test accuracy${suffix}`, width: WIDTH, height: HEIGHT, layer: stepsLayers } as TopLevelSpec)
        : noDataChart(`${context.model} on ${context.dataset}: steps to ${pct} test accuracy${suffix}`, noTarget),
    },
    {
      name: 'time-to-target',
      title: `Training time to ${pct} test accuracy against the global batch${suffix}`,
      spec: !reachedAny ? noDataChart(`${context.model}: seconds to ${pct} test accuracy${suffix}`, noTarget) : {
        $schema: SCHEMA,
        title: `${context.model}: seconds to ${pct} test accuracy${suffix}`,
        width: WIDTH,
        height: HEIGHT,
        layer: [
          { data: { values: rows.filter((r) => r.reached) }, mark: { type: 'point', filled: true, opacity: 0.55 }, encoding: { x, y: { field: 'timeToTarget', type: 'quantitative', scale: { type: 'log' }, title: 'training seconds (evaluation excluded)' }, color } },
          { data: { values: means.filter((m) => m.timeToTarget !== null) }, mark: { type: 'line', point: true }, encoding: { x, y: { field: 'timeToTarget', type: 'quantitative' }, color } },
        ],
      } as TopLevelSpec,
    },
    {
      name: 'accuracy-and-gap',
      title: `Final accuracy and generalization gap against the global batch${suffix}`,
      spec: {
        $schema: SCHEMA,
        title: `${context.model}: final accuracy and generalization gap${suffix}`,
        vconcat: [
          {
            title: 'final accuracy (mean over seeds)',
            width: WIDTH,
            height: Math.round(HEIGHT * 0.7),
            data: { values: accuracyRows },
            mark: { type: 'line', point: true },
            encoding: {
              x,
              y: { field: 'value', type: 'quantitative', aggregate: 'mean', title: 'accuracy', scale: { zero: false }, axis: { format: percentFormat(accuracyRows.map((r) => r.value)) } },
              color,
              strokeDash: { field: 'measure', type: 'nominal', title: 'split', legend: SPLIT_LEGEND },
            },
          },
          panel(means, { field: 'generalizationGap', title: 'train − test accuracy', scale: { zero: false }, axis: { format: percentFormat(means.map((m) => m.generalizationGap)) } }, 'generalization gap (mean over seeds)'),
        ],
      } as TopLevelSpec,
    },
    {
      name: 'noise-scale',
      title: `Measured gradient noise scale B_simple over training${suffix}`,
      spec: noiseRows.length === 0 ? noDataChart(`${context.model}: gradient noise scale B_simple over training${suffix}`, noNoise) : {
        $schema: SCHEMA,
        title: `${context.model}: gradient noise scale B_simple over training${suffix}`,
        width: WIDTH,
        height: HEIGHT,
        // Against the share of the way to the target, so every batch's curve ends at the same accuracy.
        data: { values: noiseRows },
        mark: { type: 'line', opacity: 0.8 },
        encoding: {
          x: { field: 'progress', type: 'quantitative', title: 'share of the steps to the target (or to the last step)', axis: { format: '.0%' } },
          y: { field: 'bSimple', type: 'quantitative', scale: { type: 'log' }, title: 'B_simple (examples, smoothed)' },
          color: { field: 'batchLabel', type: 'ordinal', title: 'batch', scale: { scheme: 'viridis' } },
          detail: { field: 'point', type: 'nominal' },
        },
      } as TopLevelSpec,
    },
  ];
  return charts;
}
