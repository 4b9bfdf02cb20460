import { runTraining, type CoordinatorOptions, type TrainingSummary } from '@shardgrad/coordinator';
import type { ModelContext } from '@shardgrad/models';
import { startTestCluster } from '../support/cluster.ts';

/**
 * Trains through the real path: a coordinator and two in-process node workers on loopback
 * socket.io, every gradient computed by the workers and averaged by the coordinator. Shares are
 * equal unless `opts` says otherwise: a learning threshold is then checked on one fixed run, not on
 * whichever split a busy machine's timing produced (the float sums' order follows the split).
 */
export async function trainOnCluster(
  opts: CoordinatorOptions,
  plan: { epochs: number; maxSteps?: number },
): Promise<{ summary: TrainingSummary; ctx: ModelContext }> {
  const cluster = await startTestCluster({ split: 'equal', ...opts }, [{ nickname: 'w1' }, { nickname: 'w2' }]);
  try {
    const summary = await runTraining(cluster.coordinator, { ...plan, minWorkers: 2 });
    const { state, dataset, modelConfig } = cluster.coordinator.config;
    return { summary, ctx: { model: state.model, dataset, config: modelConfig ?? {} } };
  } finally {
    await cluster.close();
  }
}
