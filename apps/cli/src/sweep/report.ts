import { type BatchSummary, fitSweep, pointNoise, summarizeByBatch, sweepNoise, type SweepNoise } from './analysis.ts';
import type { ChartSpec } from './charts.ts';
import type { PointResult } from './point-result.ts';
import type { SweepSettings } from './sweep-config.ts';

export interface ReportInput {
  settings: SweepSettings;
  results: readonly PointResult[];
  charts: readonly ChartSpec[];
  /** The command lines that made the sweep (first, then resumptions). */
  commands: readonly string[];
  model: string;
  dataset: string;
  /** Where the runs happened, in words (machine, cores). */
  machine: string;
}

const num = (v: number | null | undefined, digits = 0) => (v === null || v === undefined || !Number.isFinite(v) ? '–' : v.toFixed(digits));
const pct = (v: number | null | undefined) => (v === null || v === undefined || !Number.isFinite(v) ? '–' : `${(v * 100).toFixed(1)}%`);

/** The Markdown report of a sweep: settings, the findings in numbers, the charts, every point. */
export function sweepReport(r: ReportInput): string {
  const s = r.settings;
  const simulated = s.fleet === 'simulated';
  const summary = summarizeByBatch(r.results);
  const fit = fitSweep(r.results);
  const noise = sweepNoise(r.results);
  const out: string[] = [];
  out.push(`# Batch-size scaling: ${r.model} on ${r.dataset}`, '');
  if (simulated) {
    out.push(
      '> **Simulated fleet.** Every point ran its workers as virtual workers inside one process',
      '> (`--simulate-workers`): real shards, real gradients and a real coordinator over loopback',
      '> socket.io, but one thread for all of them. Steps to target and the noise scale are real;',
      '> times and samples/s are those of one process, not of a fleet of machines.',
      '',
    );
  }
  out.push('Made by:', '', '```sh', ...r.commands, '```', '');
  out.push(
    `Target: ${pct(s.targetAccuracy)} accuracy on the held-out test split, checked ${s.evalEvery ? `every ${s.evalEvery} steps` : 'at every step up to 20, then every 5% of the steps so far (steps to target within 5%)'}; at most ${s.maxSteps} steps a point.`,
    `Learning rate: rule \`${s.lrRule}\` from η = ${r.results[0]?.baseLr ?? s.lr ?? 'the model default'} at B₀ = ${r.results[0]?.baseBatch ?? s.baseBatch ?? 'the model default'}` +
      `${s.warmupSteps ? `, ${s.warmupSteps} warm-up steps` : ''}; optimizer ${s.optimizer ?? 'the model default'}.` +
      `${s.adaptiveBatch ? ` Adaptive batch: grows towards the measured noise scale, at most ×2 every ${s.adaptiveBatch.everySteps} steps, up to ${s.adaptiveBatch.maxBatch}.` : ''}`,
    ...(s.modelConfig || s.datasetOptions ? [`Options: ${[s.modelConfig && `model ${JSON.stringify(s.modelConfig)}`, s.datasetOptions && `dataset ${JSON.stringify(s.datasetOptions)}`].filter(Boolean).join('; ')}.`] : []),
    `Machine: ${r.machine}.`,
    '',
  );
  out.push('## Findings', '');
  out.push(...findings(summary, fit, noise), '');
  out.push('| batch | workers | seeds at target | steps to target | scaling efficiency | seconds to target | samples/s | final test acc. | gap (train − test) | B_simple at target |');
  out.push('| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const b of summary) {
    out.push(
      `| ${b.batch} | ${b.workers}${simulated ? ' (sim.)' : ''} | ${b.reached}/${b.seeds} | ${num(b.stepsToTarget)} | ${num(b.scalingEfficiency, 2)} | ${num(b.timeToTarget, 1)} | ${num(b.samplesPerSecond)} | ${pct(b.finalTestAccuracy)} | ${pct(b.generalizationGap)} | ${batchNoiseCell(b)} |`,
    );
  }
  out.push(...noiseFootnotes(summary.flatMap((b) => b.noiseKinds)));
  out.push('', 'Scaling efficiency: (steps at the previous batch ÷ steps here) ÷ (batch here ÷ previous batch); 1 is perfect scaling, 0 none.', '');
  out.push('## Charts', '');
  for (const c of r.charts) out.push(`### ${c.title}`, '', `![${c.title}](${c.name}.png)`, '', `[SVG](${c.name}.svg)`, '');
  out.push('## Every point', '');
  out.push('| point | steps to target | τ (AdaScale) | seconds | last lr | final test acc. | final train acc. | B_simple (window) | B_simple (smoothed, end) | final batch | run directory |');
  out.push('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |');
  for (const p of [...r.results].sort((a, b) => a.workers - b.workers || a.batch - b.batch || a.seed - b.seed)) {
    out.push(
      `| ${p.id} | ${p.reached ? p.stepsToTarget : `not in ${p.steps}`} | ${num(p.scaleInvariantSteps, 1)} | ${num(p.seconds, 1)} | ${p.lr.toPrecision(3)} | ${pct(p.finalTestAccuracy)} | ${pct(p.finalTrainAccuracy)} | ${pointWindowCell(p)} | ${num(p.noiseScale)} | ${p.finalBatch} | \`${p.runDir}\` |`,
    );
  }
  const missed = r.results.some((p) => pointNoise(p).kind === 'end-window');
  out.push('', `B_simple (window): tr(Σ) and |G|² averaged over the last quarter of the steps to the target${missed ? ` (${END_WINDOW_MARK}: of all the steps, the target missed)` : ''}, then divided.`);
  out.push('', 'Data: `sweep.csv` (one row a point), `sweep.jsonl` (everything, with the noise and accuracy histories).', '');
  return out.join('\n');
}

const ONE_SHARD = '– (one shard)';
const NOT_POSITIVE = '– (|G|² ≤ 0)';
const SMOOTHED_MARK = '†';
const END_WINDOW_MARK = '‡';

/** A batch's noise scale, marked when a seed's value is not "at the target". */
function batchNoiseCell(b: BatchSummary): string {
  if (b.noiseScale === null) return b.noiseKinds.every((k) => k === 'unmeasured') ? ONE_SHARD : NOT_POSITIVE;
  const marks = `${b.noiseKinds.includes('smoothed') ? SMOOTHED_MARK : ''}${b.noiseKinds.includes('end-window') ? END_WINDOW_MARK : ''}`;
  return `${num(b.noiseScale)}${marks}`;
}

function pointWindowCell(p: PointResult): string {
  const n = pointNoise(p);
  if (n.kind === 'unmeasured') return ONE_SHARD;
  if (n.kind === 'at-target') return num(n.value);
  if (n.kind === 'end-window') return `${num(n.value)}${END_WINDOW_MARK}`;
  return NOT_POSITIVE;
}

/** What the marks of the summary table's last column mean, for those it uses. */
function noiseFootnotes(kinds: readonly string[]): string[] {
  const out: string[] = [];
  if (kinds.includes('smoothed')) out.push(`${SMOOTHED_MARK} A seed's window had a mean |G|² that was not positive; its smoothed B_simple at the end (a moving average over training) stands in for it.`);
  if (kinds.includes('end-window')) out.push(`${END_WINDOW_MARK} A seed did not reach the target; its B_simple is read over the last quarter of its steps, not at the target.`);
  if (kinds.includes('not-positive')) out.push(`${NOT_POSITIVE}: rounds were measured, but the estimate of |G|² over the window was not positive (the noise dominates).`);
  return out.length ? ['', ...out] : [];
}

/** The shape of the curve, in sentences computed from the numbers (nothing here is hard-coded). */
function findings(summary: BatchSummary[], fit: ReturnType<typeof fitSweep>, sweep: SweepNoise): string[] {
  const lines: string[] = [];
  const byWorkers = new Map<number, BatchSummary[]>();
  for (const b of summary) byWorkers.set(b.workers, [...(byWorkers.get(b.workers) ?? []), b]);
  for (const [workers, rows] of byWorkers) {
    const hit = rows.filter((b) => b.stepsToTarget !== null);
    if (hit.length < 2) {
      lines.push(`- ${workers} worker(s): fewer than two batches reached the target; no curve to read.`);
      continue;
    }
    const first = hit[0]!;
    const last = hit[hit.length - 1]!;
    const effs = hit.filter((b) => b.scalingEfficiency !== null).map((b) => `${b.batch}: ${b.scalingEfficiency!.toFixed(2)}`);
    lines.push(
      `- ${workers} worker(s): from batch ${first.batch} to ${last.batch} (×${last.batch / first.batch}) the steps to target went from ${num(first.stepsToTarget)} to ${num(last.stepsToTarget)} (÷${num(first.stepsToTarget! / last.stepsToTarget!, 1)}). Scaling efficiency by batch: ${effs.join(', ') || '–'}.`,
    );
  }
  if (fit) {
    lines.push(`- Fit of S(B) = S_min·(1 + B_crit/B) (McCandlish et al. 2018) to ${fit.n} runs: S_min ≈ ${num(fit.sMin)} steps, B_crit ≈ ${num(fit.bCrit)} examples.`);
  }
  if (sweep.kind === 'measured') {
    const noise = sweep.value;
    lines.push(`- ${measuredNoiseSentence(sweep)}`);
    const below: number[] = [];
    const past: number[] = [];
    summary.forEach((b, i) => {
      const prev = summary[i - 1];
      if (b.scalingEfficiency === null || !prev || prev.workers !== b.workers) return;
      if (b.batch <= noise) below.push(b.scalingEfficiency);
      else if (prev.batch >= noise) past.push(b.scalingEfficiency);
    });
    const avg = (xs: number[]) => (xs.length ? num(xs.reduce((a, v) => a + v, 0) / xs.length, 2) : '–');
    lines.push(
      `- Growing the batch up to the measured noise scale kept on average ${avg(below)} of the ideal cut in steps (1 = steps fall in proportion to the batch; ${below.length} step(s) of the batch); past it, ${avg(past)} (${past.length} step(s)).`,
    );
    if (fit) lines.push(`- B_crit from the curve ÷ measured B_simple = ${num(fit.bCrit / noise, 2)} (the paper finds them within an order of magnitude, B_simple usually the smaller).`);
  } else {
    lines.push(`- ${noiseScaleMissing(sweep)}`);
  }
  return lines;
}

/** Where the sweep's B_simple was read: "at the target" only for the windows that end there. */
function measuredNoiseSentence(n: Extract<SweepNoise, { kind: 'measured' }>): string {
  const value = `B_simple ≈ ${num(n.value)} examples`;
  if (!n.pooled) {
    return `Measured gradient noise scale: ${value}, the median of the points' own values (their windows' |G|², pooled, was not positive; see the table's marks).`;
  }
  const missed = n.windows - n.reached;
  if (n.reached === 0) {
    return `Measured gradient noise scale over training, pooled over the points (each round weighted by B²): ${value}. No point reached the target, so this is not the noise scale at the target: each point's window is the last quarter of its steps.`;
  }
  const note = missed > 0 ? ` (for the ${missed} point(s) that missed the target, over the last quarter of their steps)` : '';
  return `Measured gradient noise scale at the target, pooled over the points (each round weighted by B²)${note}: ${value}. Per point it is read over the last quarter of the steps to the target; see the table.`;
}

/** Why there is no B_simple: nothing to measure with one shard a round, or a measured |G|² that was not positive. */
function noiseScaleMissing(n: Exclude<SweepNoise, { kind: 'measured' }>): string {
  if (n.kind === 'unmeasured') {
    return 'No noise scale was measured: every point ran one shard per round (one worker). Use two or more workers, or `--simulate-workers`.';
  }
  const means = Number.isFinite(n.gradSq) ? ` (over the windows' ${n.rounds} rounds, |G|² ≈ ${n.gradSq.toPrecision(2)} against tr(Σ) ≈ ${n.trace.toPrecision(3)})` : '';
  return (
    `The noise scale was measured, but the estimate of |G|² was not positive${means}, so B_simple is undefined: the noise dominates the gradient, ` +
    'B_simple is very large or the window too short to average the noise out. Try more steps (`--max-steps`) or larger batches.'
  );
}

/** The CSV columns of sweep.csv, in order, with how each is read from a point. */
export const CSV_COLUMNS: [string, (p: PointResult) => string | number | boolean | null][] = [
  ['point', (p) => p.id],
  ['batch', (p) => p.batch],
  ['workers', (p) => p.workers],
  ['fleet', (p) => p.fleet],
  ['seed', (p) => p.seed],
  ['lr_rule', (p) => p.lrRule],
  ['base_lr', (p) => p.baseLr],
  ['base_batch', (p) => p.baseBatch],
  ['last_lr', (p) => p.lr],
  ['target_accuracy', (p) => p.targetAccuracy],
  ['reached', (p) => p.reached],
  ['steps_to_target', (p) => p.stepsToTarget],
  ['time_to_target_s', (p) => p.timeToTarget],
  ['scale_invariant_steps', (p) => p.scaleInvariantSteps],
  ['steps', (p) => p.steps],
  ['samples', (p) => p.samples],
  ['seconds', (p) => p.seconds],
  ['samples_per_s', (p) => p.samplesPerSecond],
  ['final_test_accuracy', (p) => p.finalTestAccuracy],
  ['final_train_accuracy', (p) => p.finalTrainAccuracy],
  ['generalization_gap', (p) => p.generalizationGap],
  ['test_loss', (p) => p.testLoss],
  ['train_loss', (p) => p.trainLoss],
  ['noise_scale', (p) => p.noiseScale],
  // Empty unless the point reached the target: a missed target's window is at the end (noise_window_b_simple).
  ['noise_scale_at_target', (p) => (p.reached ? p.noiseScaleAtTarget : null)],
  ['noise_window_rounds', (p) => p.noiseWindow?.rounds ?? null],
  ['noise_window_trace', (p) => p.noiseWindow?.trace ?? null],
  ['noise_window_grad_sq', (p) => p.noiseWindow?.gradSq ?? null],
  ['noise_window_b_simple', (p) => p.noiseScaleAtTarget],
  ['final_batch', (p) => p.finalBatch],
  ['run_dir', (p) => p.runDir],
];
