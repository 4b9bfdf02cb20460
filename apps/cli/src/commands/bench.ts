import { Command } from 'commander';
import { initNodeBackend } from '@shardgrad/backends/node';
import { listModels } from '@shardgrad/models';
import { createOutput, UsageError } from '../output.ts';
import { oneOf, positiveInt, positiveNumber } from '../parse.ts';
import { throughputSuite } from '../bench/throughput-suite.ts';
import { runAllSuites } from '../bench/all-suites.ts';
import { BENCH_SUITES, MODEL_SUITES, runBenchSuite } from '../bench/suites.ts';
import { LOCAL_WORKER_KINDS } from '../local-workers.ts';

export function benchCommand(): Command {
  return new Command('bench')
    .summary('measure gradient throughput against PyTorch on the same machine')
    .addHelpText('before', 'Examples:\n  npx shardgrad bench\n  npx shardgrad bench --steps 400 --json\n  npx shardgrad bench --batch 256 --local-workers threads\n  npx shardgrad bench --suite heterogeneous --slowdown 3\n  npx shardgrad bench --suite threads\n  npx shardgrad bench --suite compression --steps 300\n  npx shardgrad bench --suite ceiling\n  npx shardgrad bench --suite clients --clients 200\n  npx shardgrad bench --suite coordinator\n  npx shardgrad bench --suite browser\n  npx shardgrad bench --suite all\n')
    .option('--steps <n>', 'measured rounds per configuration', positiveInt, 300)
    .option('--batch <n>', 'global batch', positiveInt, 64)
    .option('--out <file>', 'also write the figures as JSON here (default: runs/bench/latest.json for throughput, runs/bench/<suite>.json for the others)')
    .option('--suite <name>', 'throughput (against PyTorch), heterogeneous (a slowed worker beside a fast one), threads (--threads 2 against 1), per-core (one worker against PyTorch per model), time-to-accuracy (2 workers against model.fit to 87% on Fashion-MNIST), compression (bytes per round, samples/s and test accuracy per --compress mode), ceiling (what two workers can gain over one at most on this machine, engines only), clients (a coordinator with --clients simulated tabs: its work per round and its memory), coordinator (each stage of the coordinator\'s work per round, alone: the least share of a round it can take), browser (a chromium tab on each backend: calibration and samples/s in rounds), all (every suite in turn, then the issues\' targets against what it measured: about twenty minutes)', oneOf(BENCH_SUITES), 'throughput')
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
      if (o.suite === 'all') {
        for (const k of ['batch', 'steps', 'model']) if (given(k)) throw new UsageError(`--${k} does not apply to --suite all: every suite runs with its own defaults`);
        return runAllSuites(out, { slowdown: o.slowdown, clients: o.clients, out: o.out ?? 'runs/bench/all.json' });
      }
      if (o.suite !== 'throughput') {
        await runBenchSuite(o.suite, out, {
          model,
          batch: given('batch') ? o.batch : undefined,
          steps: given('steps') ? o.steps : undefined,
          slowdown: o.slowdown,
          clients: o.clients,
          out: o.out ?? `runs/bench/${o.suite}.json`,
        });
        return;
      }
      await throughputSuite(out, { model, batch: o.batch, steps: o.steps, localWorkers: o.localWorkers, out: o.out ?? 'runs/bench/latest.json' });
    });
}

/** Models whose training is plain gradient rounds on samples (no phases, no custom step): what the suites time. */
function benchModelNames(): string[] {
  return listModels().filter((m) => !m.pipeline && !m.customStep).map((m) => m.name);
}
