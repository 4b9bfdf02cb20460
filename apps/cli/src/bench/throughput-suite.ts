import { mkdir, writeFile } from 'node:fs/promises';
import type { Output } from '../output.ts';
import type { LocalWorkerKind } from '../local-workers.ts';
import { measureClusterThroughput } from './cluster-throughput.ts';
import { parallelCeiling } from './parallel-ceiling.ts';
import { runTorchPeer } from './torch-peer.ts';

export interface ThroughputFigures {
  figures: Record<string, number | string>;
  ratios: Record<string, number>;
}

/**
 * The default suite: one and two local workers through real rounds, PyTorch's samples/s on the
 * same core for the seed's MLP, and the engines-only ceiling for two workers at this batch.
 */
export async function throughputSuite(
  out: Output,
  o: { model: string; batch: number; steps: number; localWorkers: LocalWorkerKind; out: string },
): Promise<ThroughputFigures> {
  const model = o.model;
  const figures: Record<string, number | string> = { model, localWorkers: o.localWorkers };
  // The PyTorch peer has the seed's MLP; for other models the table is ours alone.
  const peerModel = model === 'mnist-mlp' ? 'mlp' : null;
  for (const workers of [1, 2]) {
    const r = await measureClusterThroughput({ model, workers, batch: o.batch, steps: o.steps, as: o.localWorkers });
    figures[`${workers}w_samples_per_s`] = r.samplesPerSecond;
    figures[`${workers}w_coordinator_share`] = r.coordinatorShare;
    figures[`${workers}w_coordinator_cpu_share`] = r.coordinatorCpuMsPerRound / r.msPerRound;
    out.event({ type: 'bench', model, workers, localWorkers: o.localWorkers, batch: o.batch, ...r }, () =>
      `shardgrad ${model}, ${workers} wasm worker(s) as ${o.localWorkers}, batch ${o.batch}: ${r.samplesPerSecond.toFixed(0)} samples/s (${r.msPerRound.toFixed(2)} ms/round, ` +
      `of which the coordinator's own work ${r.coordinatorMsPerRound.toFixed(2)} ms = ${(100 * r.coordinatorShare).toFixed(1)}%; ` +
      `its thread's CPU time ${r.coordinatorCpuMsPerRound.toFixed(2)} ms = ${((100 * r.coordinatorCpuMsPerRound) / r.msPerRound).toFixed(1)}% of a round)`,
    );
  }
  const peer = peerModel ? await runTorchPeer([peerModel], o.batch, 1) : [];
  const torch = peer.find((p) => p.model === peerModel);
  if (torch) {
    figures.torch_1thread_samples_per_s = torch.samples_per_s;
    out.event({ type: 'bench-peer', ...torch }, () => `PyTorch ${torch.peer} ${peerModel}, 1 thread: ${torch.samples_per_s.toFixed(0)} samples/s`);
  } else if (peerModel) {
    out.event({ type: 'bench-peer', error: peer.length ? `no ${peerModel} line` : 'PyTorch peer unavailable' }, () => 'PyTorch peer unavailable (apt-get install -y python3-torch)');
  } else {
    out.event({ type: 'bench-peer', error: `the PyTorch peer has no ${model}` }, () => `(the PyTorch peer has no ${model}; its CNN is the per-core suite's)`);
  }
  const ceiling = await parallelCeiling(model, o.batch);
  out.event({ type: 'bench-ceiling', model, ...ceiling }, () =>
    `engines only, no coordinator or network, batch ${o.batch}: one engine ${ceiling.wholeMs.toFixed(2)} ms per batch; ` +
      `half a batch ${ceiling.halfMs.toFixed(2)} ms alone, ${ceiling.pairMs.toFixed(2)} ms with a second engine beside it ` +
      `→ two workers can reach at most ${ceiling.ceiling.toFixed(2)}× one here`,
  );
  const one = Number(figures['1w_samples_per_s']);
  const two = Number(figures['2w_samples_per_s']);
  const ratios: Record<string, number> = { two_workers_over_one: two / one, two_workers_over_one_ceiling: ceiling.ceiling };
  if (torch) ratios.one_worker_over_torch_1thread = one / torch.samples_per_s;
  out.event({ type: 'bench-ratios', ...ratios }, () =>
    Object.entries(ratios).map(([k, v]) => `${k}: ${v.toFixed(2)}×`).join('\n'),
  );
  await mkdir(o.out.replace(/\/[^/]+$/, ''), { recursive: true });
  await writeFile(o.out, JSON.stringify({ date: new Date().toISOString(), figures, ratios }, null, 2));
  return { figures, ratios };
}
