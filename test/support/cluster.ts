import * as tf from '@tensorflow/tfjs';
import { initNodeBackend } from '@shardgrad/backends/node';
import { createCoordinator, runTraining, type Coordinator, type CoordinatorOptions } from '@shardgrad/coordinator';
import { expect } from 'vitest';
import { startNodeWorker, type NodeWorkerHandle, type NodeWorkerOptions } from '@shardgrad/worker-node';
export { maxAbsDiff } from '@shardgrad/backends/testing';

/** A coordinator plus in-process node workers talking over real socket.io on loopback. */
export interface TestCluster {
  coordinator: Coordinator;
  workers: NodeWorkerHandle[];
  close(): Promise<void>;
}

export async function startTestCluster(
  opts: CoordinatorOptions,
  workers: Omit<NodeWorkerOptions, 'url'>[],
): Promise<TestCluster> {
  await initNodeBackend('wasm');
  const coordinator = await createCoordinator({ port: 0, ...opts });
  const handles: NodeWorkerHandle[] = [];
  for (const w of workers) handles.push(await startNodeWorker({ url: coordinator.url, ...w }));
  return {
    coordinator,
    workers: handles,
    async close() {
      handles.forEach((h) => h.close());
      await coordinator.close();
    },
  };
}


export const tensorsInUse = () => tf.memory().numTensors;

/**
 * Trains `steps` rounds on a cluster of at least two workers and checks that some round really was
 * split between two of them (the case an exactness test is about). Returns the weights it started from.
 */
export async function trainSplitRounds(c: Coordinator, steps: number) {
  const initial = c.config.state.weights();
  const workersPerRound: number[] = [];
  c.on('event', (e) => {
    if (e.type === 'round') workersPerRound.push(e.workers);
  });
  const summary = await runTraining(c, { epochs: 1, maxSteps: steps, minWorkers: 2 });
  expect(summary.steps).toBe(steps);
  expect(workersPerRound.some((w) => w >= 2)).toBe(true);
  return initial;
}
