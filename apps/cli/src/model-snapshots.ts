import { join } from 'node:path';
import type { Coordinator, CoordinatorEvent } from '@shardgrad/coordinator';
import type { WrittenArtifact } from './model-artifacts.ts';
import { writeArtifacts } from './model-artifacts.ts';

export interface SnapshotWriter {
  /** Waits for the files still being written; call before reading the run directory or exiting. */
  flush(): Promise<WrittenArtifact[]>;
  stop(): void;
}

/**
 * Writes a model's pictures during training (ModelDefinition.snapshots, e.g. the GAN's sample grid
 * every N rounds) into its run directory, `<out>/<runId>/`. The picture is drawn at the round
 * boundary, from the weights of that step; only the file write runs in the background.
 */
export function writeSnapshots(c: Coordinator, out: string): SnapshotWriter {
  const { def, modelConfig } = c.config;
  const snapshots = def.snapshots;
  const every = snapshots?.every(modelConfig ?? {});
  const pending: Promise<WrittenArtifact[]>[] = [];
  const listener = (e: CoordinatorEvent) => {
    if (!snapshots || !every || e.type !== 'round' || e.step % every !== 0) return;
    const { state, dataset } = c.config;
    const files = snapshots.make({ model: state.model, dataset, config: modelConfig ?? {} }, e.step);
    pending.push(writeArtifacts(join(out, c.runId), files));
  };
  c.on('event', listener);
  return {
    flush: async () => (await Promise.all(pending)).flat(),
    stop: () => c.off('event', listener),
  };
}
