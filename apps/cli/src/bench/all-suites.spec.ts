import { describe, expect, it } from 'vitest';
import { targetRows } from './all-suites.ts';

const throughput = (two: number, ceiling: number, cpuShare = 0.2) => ({
  figures: { '2w_coordinator_cpu_share': cpuShare },
  ratios: { two_workers_over_one: two, two_workers_over_one_ceiling: ceiling },
});

describe('the targets summary of bench --suite all', () => {
  const rows = targetRows({
    perCore: { rows: [{ model: 'mlp', ratio: 4.2 }, { model: 'cnn', ratio: 0.89 }, { model: 'lstm', ratio: null }] },
    throughput64: throughput(0.67, 1.36),
    throughput256: throughput(1.25, 1.81, 0.239),
    coordinator: { floorShare: 0.125 },
    heterogeneous: { roundOverIdeal: 1.15 },
    threads: { clusterRatio: 1.69, computeRatio: 1.39 },
    timeToAccuracy: { clusterOverFit: { processes: 0.67, threads: 0.49 } },
  });
  const row = (prefix: string) => rows.find((r) => r.target.startsWith(prefix))!;

  it('judges each target by its direction and bound, and says when a figure is missing', () => {
    expect(row('per-core mlp')).toMatchObject({ measured: '4.20×', met: true });
    expect(row('per-core cnn')).toMatchObject({ measured: '0.89×', met: false });
    expect(row('per-core lstm')).toMatchObject({ measured: 'n/a', met: null });
    expect(row('two workers ≥ 1.7×')).toMatchObject({ measured: '0.67× (ceiling 1.36×)', met: false });
    expect(row('heterogeneous')).toMatchObject({ met: true });
    expect(row('--threads 2')).toMatchObject({ measured: '1.69× (engine 1.39×)', met: false });
  });

  it('takes the better of the two worker kinds for time to accuracy, and shows the coordinator floor', () => {
    expect(row('time to 87%')).toMatchObject({ measured: 'processes 0.67×, threads 0.49×', met: true });
    expect(row('coordinator')).toMatchObject({ measured: '23.9% (its stages alone: at least 12.5%)', met: false });
  });
});
