import { Command } from 'commander';
import { listModels, listedOptions } from '@shardgrad/models';
import { createOutput } from '../output.ts';

export function modelsCommand(): Command {
  return new Command('models')
    .summary('list the model registry')
    .addHelpText('before', 'Examples:\n  npx shardgrad models\n  npx shardgrad models --json\n')
    .option('--json', 'print one JSON object per line')
    .action((o) => {
      const out = createOutput(Boolean(o.json));
      for (const m of listModels()) {
        out.event(
          {
            type: 'model', name: m.name, summary: m.summary, teaches: m.teaches, defaultDataset: m.defaultDataset, datasets: m.datasets, optimizer: m.optimizer, defaults: m.defaults,
            options: listedOptions(m),
            ...(m.pipeline ? { phases: m.pipeline.phases.map((p) => p.name) } : {}),
          },
          () =>
            `${m.name.padEnd(14)} ${m.summary}\n${''.padEnd(14)} teaches: ${m.teaches}; data: ${m.datasets.join(', ')}` +
            `\n${''.padEnd(14)} options: ${listedOptions(m).join(', ') || 'none'}` +
            (m.pipeline ? `\n${''.padEnd(14)} phases: ${m.pipeline.phases.map((p) => p.name).join(' → ')}` : ''),
        );
      }
    });
}
