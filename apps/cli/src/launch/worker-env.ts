/**
 * The environment each launched worker gets, in torchrun's vocabulary so that habits and manifests
 * carry over: RANK = NODE_RANK × nproc-per-node + LOCAL_RANK, WORLD_SIZE over the whole fleet, and
 * MASTER_ADDR / MASTER_PORT naming the coordinator.
 */
export interface RankPlan {
  /** Worker processes on this machine. */
  nproc: number;
  /** This machine's index in the fleet (0 on a single machine; the completion index in an Indexed Job). */
  nodeRank: number;
  /** Worker processes in the whole fleet. */
  worldSize: number;
  /** The coordinator. */
  url: URL;
  /** One GPU per worker: CUDA_VISIBLE_DEVICES narrowed to the local rank's device. */
  pinGpus: boolean;
}

export class LaunchPlanError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LaunchPlanError';
  }
}

/**
 * A warning where this machine's ranks fall outside WORLD_SIZE, or undefined. Not an error: the
 * coordinator waits for WORLD_SIZE workers and admits more (a CPU worker added to a GPU fleet, a
 * class of tabs), so ranks past it are legal. But a WORLD_SIZE that counts machines instead of
 * processes, or a NODE_RANK copied from another node, also lands here, and those deserve a word.
 */
export function rankRangeWarning(plan: Pick<RankPlan, 'nproc' | 'nodeRank' | 'worldSize'>): string | undefined {
  const first = plan.nodeRank * plan.nproc;
  const last = first + plan.nproc - 1;
  if (last < plan.worldSize) return undefined;
  return (
    `node rank ${plan.nodeRank} with ${plan.nproc} processes per node gives ranks ${first}–${last}, past the world size of ${plan.worldSize} ` +
    `(ranks 0–${plan.worldSize - 1}): these workers join as extras, not as ones the coordinator waits for. ` +
    'If they were meant to be counted, check NODE_RANK, and that WORLD_SIZE counts worker processes over the whole fleet (nodes × --nproc-per-node)'
  );
}

export function workerEnv(base: NodeJS.ProcessEnv, plan: RankPlan, localRank: number): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...base };
  const { url } = plan;
  env.MASTER_ADDR = url.hostname;
  env.MASTER_PORT = url.port || (url.protocol === 'https:' ? '443' : '80');
  // The worker prefers SHARDGRAD_URL over MASTER_*: keep it only where MASTER_* cannot say it all
  // (https, a path prefix behind an ingress), and drop a stale one that would point elsewhere.
  if (url.protocol === 'http:' && (url.pathname === '/' || url.pathname === '')) delete env.SHARDGRAD_URL;
  else env.SHARDGRAD_URL = url.href;
  env.RANK = String(plan.nodeRank * plan.nproc + localRank);
  env.LOCAL_RANK = String(localRank);
  env.WORLD_SIZE = String(plan.worldSize);
  env.LOCAL_WORLD_SIZE = String(plan.nproc);
  env.NODE_RANK = String(plan.nodeRank);
  if (plan.pinGpus) env.CUDA_VISIBLE_DEVICES = gpuFor(base.CUDA_VISIBLE_DEVICES, plan.nproc, localRank);
  return env;
}

/**
 * The device a local rank gets: the local-rank-th entry of an inherited CUDA_VISIBLE_DEVICES
 * (the container runtime may have narrowed it already), else the local rank itself.
 */
export function gpuFor(inherited: string | undefined, nproc: number, localRank: number): string {
  const list = inherited?.split(',').map((d) => d.trim()).filter((d) => d !== '');
  if (!list || list.length === 0) return String(localRank);
  if (list.length < nproc) {
    throw new LaunchPlanError(`--pin-gpus needs one GPU per worker: ${nproc} workers, but CUDA_VISIBLE_DEVICES lists ${list.length} (${inherited})`);
  }
  return list[localRank]!;
}
