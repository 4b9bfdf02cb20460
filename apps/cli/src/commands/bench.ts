import { Command } from 'commander';
import { writeFile, mkdir } from 'node:fs/promises';
import { initNodeBackend } from '@shardgrad/backends/node';
import { listModels } from '@shardgrad/models';
import { createOutput, UsageError } from '../output.ts';
import { oneOf, positiveInt, positiveNumber } from '../parse.ts';
import { measureClusterThroughput } from '../bench/cluster-throughput.ts';
import { runTorchPeer } from '../bench/torch-peer.ts';
import { parallelCeiling } from '../bench/parallel-ceiling.ts';
import { BENCH_SUITES, MODEL_SUITES, runBenchSuite } from '../bench/suites.ts';
import { LOCAL_WORKER_KINDS } from '../local-workers.ts';

export function benchCommand(): Command {
  return new Command('bench')
    .summary('measure gradient throughput against PyTorch on the same machine')
    .addHelpText('before', 'Examples:\n  npx shardgrad bench\n  npx shardgrad bench --steps 400 --json\n  npx shardgrad bench --batch 256 --local-workers threads\n  npx shardgrad bench --suite heterogeneous --slowdown 3\n  npx shardgrad bench --suite threads\n  npx shardgrad bench --suite compression --steps 300\n  npx shardgrad bench --suite ceiling\n  npx shardgrad bench --suite clients --clients 200\n  npx shardgrad bench --suite coordinator\n  npx shardgrad bench --suite browser\n')
    .option('--steps <n>', 'measured rounds per configuration', positiveInt, 300)
    .option('--batch <n>', 'global batch', positiveInt, 64)
    .option('--out <file>', 'also write the figures as JSON here', 'runs/bench/latest.json')
    .option('--suite <name>', 'throughput (against PyTorch), heterogeneous (a slowed worker beside a fast one), threads (--threads 2 against 1), per-core (one worker against PyTorch per model), time-to-accuracy (2 workers against model.fit to 87% on Fashion-MNIST), compression (bytes per round, samples/s and test accuracy per --compress mode), ceiling (what two workers can gain over one at most on this machine, engines only), clients (a coordinator with --clients simulated tabs: its work per round and its memory), coordinator (each stage of the coordinator\'s work per round, alone: the least share of a round it can take), browser (a chromium tab on each backend: calibration and samples/s in rounds)', oneOf(BENCH_SUITES), 'throughput')
    .option('--model <name>', `the model whose rounds are timed, in the ${MODEL_SUITES.join(', ')} suites (per-core times PyTorch's three models; time-to-accuracy the seed's MLP)`, oneOf(benchModelNames()), 'mnist-mlp')
    .option('--slowdown <factor>', 'heterogeneous suite: how much slower the slowed worker is', positiveNumber, 3)
    .option('--clients <n>', 'clients suite: how many simulated tabs join', positiveInt, 200)
    .option('--local-workers <how>', 'throughput suite: the workers as processes joined over sockets, or as threads of the coordinator\'s process joined over message ports', oneOf(LOCAL_WORKER_KINDS), 'processes')
    .option('--json', 'print one JSON object per line')
    .action(async (o, cmd: Command) => {
      const given = (k: string) => cmd.getOptionValueSource(k) !== 'default';
      if (given('localWorkers') && o.suite !== 'throughput') throw new UsageError('--local-workers applies to the throughput suite');
      if (given('model') && !(MODEL_SUITES as readonly string[]).includes(o.suite)) {
        throw new UsageError(`--model applies to the ${MODEL_SUITES.join(', ')} suites; the ${o.suite} suite times fixed models`);
      }
      const model: string = o.model;
      const out = createOutput(Boolean(o.json));
      await initNodeBackend('wasm');
      if (o.suite !== 'throughput') {
        return runBenchSuite(o.suite, out, {
          model,
          batch: given('batch') ? o.batch : undefined,
          steps: given('steps') ? o.steps : undefined,
          slowdown: o.slowdown,
          clients: o.clients,
          out: given('out') ? o.out : `runs/bench/${o.suite}.json`,
        });
      }
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
    });
}

/** Models whose training is plain gradient rounds on samples (no phases, no custom step): what the suites time. */
function benchModelNames(): string[] {
  return listModels().filter((m) => !m.pipeline && !m.customStep).map((m) => m.name);
}
