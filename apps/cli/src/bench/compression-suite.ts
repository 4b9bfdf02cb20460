import { cpus, loadavg } from 'node:os';
import { runTraining } from '@shardgrad/coordinator';
import type { CompressMode } from '@shardgrad/protocol';
import type { Output } from '../output.ts';
import { withLocalFleet } from './local-fleet.ts';

/** Every mode, auto last: on loopback the link is never the bottleneck, so auto should stay at none. */
const MODES: CompressMode[] = ['none', 'fp16', 'int8', 'auto'];

export interface CompressionRow {
  compress: CompressMode;
  /** What the workers' last results used (auto may differ per worker). */
  encodings: string[];
  /** Gradient bytes one worker uploads per round (one result: every tensor of the model). */
  bytesPerRound: number;
  /** none's bytes over this row's. */
  reduction: number;
  samplesPerSecond: number;
  testAccuracy: number;
  testLoss: number;
}

/**
 * Wire compression (docs/compression.md): the same run (model, seed, batch, steps, two local worker
 * processes) once per `--compress` mode. Bytes and accuracy are deterministic up to float error and
 * the split; samples/s is as noisy as the machine.
 */
export async function compressionSuite(out: Output, o: { model: string; batch: number; steps: number }): Promise<Record<string, unknown>> {
  const loadBefore = loadavg()[0]!;
  const rows: CompressionRow[] = [];
  for (const compress of MODES) {
    const row = await runOnce(o.model, o.batch, o.steps, compress);
    row.reduction = (rows[0]?.bytesPerRound ?? row.bytesPerRound) / row.bytesPerRound;
    rows.push(row);
    out.event({ type: 'bench', suite: 'compression', model: o.model, batch: o.batch, steps: o.steps, ...row }, () =>
      `--compress ${compress.padEnd(4)} (${row.encodings.join('/')}): ${row.bytesPerRound.toLocaleString('en')} B/round/worker (${row.reduction.toFixed(2)}× less), ` +
      `${row.samplesPerSecond.toFixed(0)} samples/s, test accuracy ${(row.testAccuracy * 100).toFixed(2)}% (${((row.testAccuracy - rows[0]!.testAccuracy) * 100).toFixed(2)} pp vs none)`,
    );
  }
  const load = [loadBefore, loadavg()[0]!];
  out.say(`1-min load average ${load.map((v) => v.toFixed(2)).join(' → ')} on ${cpus().length} cores`);
  return { suite: 'compression', model: o.model, batch: o.batch, steps: o.steps, workers: 2, seed: 1, loadAverage: load, rows };
}

async function runOnce(model: string, batch: number, steps: number, compress: CompressMode): Promise<CompressionRow> {
  const fleet = { workers: 2, extraArgs: () => ['--compress', compress], ownSession: true };
  return withLocalFleet({ model, batch, seed: 1 }, fleet, async (c) => {
    let samples = 0;
    let ms = 0;
    c.on('event', (e) => {
      // The first rounds include JIT warm-up; throughput counts the rest.
      if (e.type === 'round' && e.step > 5) {
        samples += e.samples;
        ms += e.roundMs;
      }
    });
    const summary = await runTraining(c, { epochs: 1000, maxSteps: steps, minWorkers: 2 });
    const views = c.status().workers.filter((w) => w.status !== 'gone' && w.resultBytes);
    return {
      compress,
      encodings: views.map((w) => w.encoding ?? 'none'),
      bytesPerRound: Math.max(...views.map((w) => w.resultBytes!)),
      reduction: 1,
      samplesPerSecond: samples / (ms / 1000),
      testAccuracy: summary.testAccuracy,
      testLoss: summary.testLoss,
    };
  });
}
